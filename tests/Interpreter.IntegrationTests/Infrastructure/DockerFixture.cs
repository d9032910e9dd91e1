using Interpreter.Executor.Docker;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// The shared API (real Kestrel, real Docker pool) for the execution tests, plus a Docker client
/// for looking at the engine directly. The engine is the one scripts/test.sh makes sure answers.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    internal DockerEngine Docker { get; } = new("unix:///var/run/docker.sock");

    public SandboxApiFactory Api { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!await Docker.PingAsync(CancellationToken.None))
        {
            throw new InvalidOperationException("No Docker engine answers on /var/run/docker.sock; run scripts/test.sh, which starts one.");
        }

        if (!await Docker.ImageExistsAsync(TestImage.Name, CancellationToken.None))
        {
            throw new InvalidOperationException($"Image {TestImage.Name} is missing; run scripts/build-executor-image.sh.");
        }

        Client = await Api.StartAsync(ready: 3, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Api.DisposeAsync();
        Docker.Dispose();
    }
}
