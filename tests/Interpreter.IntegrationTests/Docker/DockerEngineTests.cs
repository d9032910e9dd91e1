using Docker.DotNet;
using Interpreter.Executor.Docker;
using Shouldly;

namespace Interpreter.IntegrationTests.Docker;

/// <summary>Docker.DotNet against this machine's real engine: the API version the service's client is pinned to.</summary>
public sealed class DockerEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientAsync_PinsTheEnginesApiVersion_WhenItFirstConnects()
    {
        using var engine = new DockerEngine("unix:///var/run/docker.sock");
        using var unpinned = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var reported = Version.Parse((await unpinned.System.GetVersionAsync(Ct)).APIVersion);

        var before = engine.ApiVersion;
        var client = await engine.ClientAsync(Ct);
        var again = await engine.ClientAsync(Ct);
        var containers = await engine.ListAsync(new Dictionary<string, string> { ["io.computesandbox.no-such-label"] = "x" }, Ct);

        before.ShouldBeNull("nothing is read before first use");
        engine.ApiVersion.ShouldBe(reported < DockerEngine.NewestKnownApiVersion ? reported : DockerEngine.NewestKnownApiVersion);
        again.ShouldBeSameAs(client, "the version is read once");
        containers.ShouldBeEmpty();
    }

    [Fact]
    public async Task PingAsync_IsFalse_WhenNoEngineAnswers()
    {
        using var engine = new DockerEngine("unix:///nonexistent/docker.sock");
        using var tcp = new DockerEngine("tcp://127.0.0.1:1");

        var unix = await engine.PingAsync(Ct);
        var refused = await tcp.PingAsync(Ct);

        unix.ShouldBeFalse();
        refused.ShouldBeFalse();
    }
}
