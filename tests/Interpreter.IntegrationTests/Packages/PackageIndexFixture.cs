using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.Packages;

/// <summary>The loopback index with the test's wheels, and one API process that installs from it.</summary>
public sealed class PackageIndexFixture : IAsyncLifetime
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "packages-" + Guid.NewGuid().ToString("N")[..8]);
    private ApiProcess? _api;

    internal TestPackageIndex Index { get; } = new();

    internal ApiProcess Api => _api ?? throw new InvalidOperationException("not started");

    internal string Storage => _storage;

    private static CancellationToken Ct => CancellationToken.None;

    public async ValueTask InitializeAsync()
    {
        Index.AddWheel("greetlib", "1.0", new Dictionary<string, string>
        {
            ["greetlib/__init__.py"] = "from helperlib import helper\ndef hello():\n    return 'hello from greetlib ' + helper()\n",
        }, requires: ["helperlib>=0.1"]);
        Index.AddWheel("greetlib", "0.9", new Dictionary<string, string> { ["greetlib/__init__.py"] = "def hello():\n    return 'old'\n" });
        Index.AddWheel("helperlib", "0.2", new Dictionary<string, string> { ["helperlib/__init__.py"] = "def helper():\n    return 'and helperlib'\n" });
        Index.AddWheel("beautifulsoup4", "4.0", new Dictionary<string, string> { ["bs4/__init__.py"] = "NAME = 'soup from the index'\n" });
        Index.AddWheel("tampered", "1.0", new Dictionary<string, string> { ["tampered/__init__.py"] = "X = 1\n" },
            advertisedSha256: new string('0', 64));
        Index.AddWheel("bigpkg", "1.0", new Dictionary<string, string>
        {
            ["bigpkg/__init__.py"] = "DATA = '" + Convert.ToHexString(RandomNumberGenerator.GetBytes(200_000)) + "'\n",
        });
        Index.AddWheel("nativeonly", "1.0", new Dictionary<string, string> { ["nativeonly/__init__.py"] = "X = 1\n" },
            tags: "cp39-cp39-win_amd64");
        Index.ExtraLinks["elsewhere"] = ["http://127.0.0.2:9/files/elsewhere/elsewhere-1.0-py3-none-any.whl#sha256=" + new string('a', 64)];

        _api = ApiProcess.Start("pkgs-" + Guid.NewGuid().ToString("N")[..8], _storage, new Dictionary<string, string>
        {
            ["APP_PACKAGE_INDEX_URL"] = Index.Url,
            ["APP_PACKAGE_MAX_BYTES"] = "128Ki",
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2",
            ["APP_EXECUTOR_MEMORY_LIMIT"] = "384Mi",
            ["APP_WORKSPACE_SIZE_LIMIT"] = "64Mi",
        });
        await Eventually.TrueAsync(async () => await _api.PoolAsync(Ct) is { Ready: >= 1 }, TimeSpan.FromSeconds(90), "a ready sandbox", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Index.DisposeAsync();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }

}
