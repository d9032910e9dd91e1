using System.Globalization;
using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Packages;

/// <summary>
/// On-the-fly installation of missing libraries (APP_PACKAGE_INDEX_URL): the real API process, real sandboxes with no
/// network, and a loopback index the test serves with wheels it builds. Only the service talks to the index.
/// </summary>
public sealed class PackageInstallTests(PackageIndexFixture fixture) : IClassFixture<PackageIndexFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_InstallsTheModuleAndItsRequirementsFromTheIndex_WhenTheCodeImportsIt()
    {
        var first = await fixture.Api.Client.ExecuteAsync("import greetlib\nprint(greetlib.hello())", Ct);
        var wheelFetches = fixture.Index.Served.Where(p => p.Key.StartsWith("/files/", StringComparison.Ordinal)).Sum(p => p.Value);
        var second = await fixture.Api.Client.ExecuteAsync("from greetlib import hello\nprint(hello())", Ct);

        first.ExitCode.ShouldBe(0, first.Stderr);
        first.Stdout.ShouldBe("hello from greetlib and helperlib\n");
        first.Stderr.ShouldBe("");
        fixture.Index.Served.Keys.ShouldContain("/files/greetlib/greetlib-1.0-py3-none-any.whl");
        fixture.Index.Served.Keys.ShouldNotContain("/files/greetlib/greetlib-0.9-py3-none-any.whl");
        second.Stdout.ShouldBe("hello from greetlib and helperlib\n", second.Stderr);
        fixture.Index.Served.Where(p => p.Key.StartsWith("/files/", StringComparison.Ordinal)).Sum(p => p.Value)
            .ShouldBe(wheelFetches, "the second run must take the wheels from the cache");
    }

    [Fact]
    public async Task Execute_InstallsTheDistributionOfAnotherName_WhenTheModuleIsKnownByIt()
    {
        var result = await fixture.Api.Client.ExecuteAsync("import bs4\nprint(bs4.NAME)", Ct);

        result.Stdout.ShouldBe("soup from the index\n", result.Stderr);
        fixture.Index.Served.Keys.ShouldContain("/simple/beautifulsoup4/");
    }

    [Theory]
    [InlineData("nosuchmodule_xyz", "the package index has no distribution 'nosuchmodule_xyz'")]
    [InlineData("tampered", "does not match the SHA-256 the package index gives for it (refused)")]
    [InlineData("bigpkg", "is larger than APP_PACKAGE_MAX_BYTES (128Ki)")]
    [InlineData("nativeonly", "the package index has no wheel of 'nativeonly' for Python 3.11 on Linux")]
    [InlineData("elsewhere", "the package index has no wheel of 'elsewhere' for Python 3.11 on Linux")]
    public async Task Execute_SaysWhyAndRaisesModuleNotFound_WhenTheModuleCannotBeInstalled(string module, string why)
    {
        var result = await fixture.Api.Client.ExecuteAsync($"import {module}", Ct);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldStartWith($"Could not install '{module}' (for `import {module}`) from APP_PACKAGE_INDEX_URL: ");
        result.Stderr.ShouldContain(why);
        result.Stderr.ShouldContain($"ModuleNotFoundError: No module named '{module}'");
    }

    [Fact]
    public async Task Execute_StillReachesNoNetwork_WhenItInstalledFromTheIndex()
    {
        var code = $$"""
            import greetlib, socket
            s = socket.socket()
            s.settimeout(3)
            try:
                s.connect(("127.0.0.1", {{fixture.Index.Port.ToString(CultureInfo.InvariantCulture)}}))
                print("reached the index")
            except OSError as e:
                print("refused:", type(e).__name__)
            """;

        var result = await fixture.Api.Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stdout.ShouldStartWith("refused: ");
    }

    [Fact]
    public async Task Execute_SaysTheIndexCannotBeReached_WhenItIsDown()
    {
        var storage = fixture.Storage + "-down";
        var down = ApiProcess.Start("pkgdown-" + Guid.NewGuid().ToString("N")[..8], storage, new Dictionary<string, string>
        {
            ["APP_PACKAGE_INDEX_URL"] = $"http://127.0.0.1:{ApiProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/simple/",
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
            ["APP_EXECUTOR_MEMORY_LIMIT"] = "384Mi",
        });
        try
        {
            await Eventually.TrueAsync(async () => await down.PoolAsync(Ct) is { Ready: >= 1 }, TimeSpan.FromSeconds(90), "a ready sandbox", Ct);

            var result = await down.Client.ExecuteAsync("import greetlib", Ct);

            result.ExitCode.ShouldBe(1);
            result.Stderr.ShouldContain("Could not install 'greetlib' (for `import greetlib`) from APP_PACKAGE_INDEX_URL: the package index cannot be reached");
            result.Stderr.ShouldContain("ModuleNotFoundError: No module named 'greetlib'");
        }
        finally
        {
            await down.DisposeAsync();
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }
}
