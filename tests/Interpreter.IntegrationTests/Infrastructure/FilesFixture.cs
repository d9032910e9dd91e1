namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// An API for the storage-only tests: no warm sandboxes, a sweeper every 200 ms with no grace period, so
/// expired files leave the disk within the tests' patience.
/// </summary>
public sealed class FilesFixture : IAsyncLifetime
{
    public SandboxApiFactory Api { get; } = new(new Dictionary<string, string>
    {
        ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
        ["App:FILE_SWEEP_INTERVAL_SECONDS"] = "0.2",
        ["App:FILE_ORPHAN_GRACE_SECONDS"] = "0",
    });

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await Api.StartAsync(ready: 0, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Api.DisposeAsync();
    }
}
