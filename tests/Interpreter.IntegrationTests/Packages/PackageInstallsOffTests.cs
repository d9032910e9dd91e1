using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Packages;

/// <summary>Without APP_PACKAGE_INDEX_URL a missing module is Python's own error plus one line saying installs are off.</summary>
[Collection(DockerCollection.Name)]
public sealed class PackageInstallsOffTests(DockerFixture fixture)
{
    [Fact]
    public async Task Execute_AddsOneLineSayingInstallsAreOff_WhenAModuleIsMissing()
    {
        var result = await fixture.Client.ExecuteAsync("import greetlib", TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("ModuleNotFoundError: No module named 'greetlib'");
        result.Stderr.ShouldEndWith("\nMissing modules are not installed: APP_PACKAGE_INDEX_URL is not set (the sandbox has no network).\n");
    }
}
