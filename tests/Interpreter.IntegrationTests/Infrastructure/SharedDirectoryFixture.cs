namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// An API as co-located agent frameworks use it: APP_REQUIRE_CHAT_ID=false, clients copying blobs into the
/// storage folder themselves and reading outputs straight from it.
/// </summary>
public sealed class SharedDirectoryFixture : IAsyncLifetime
{
    public SandboxApiFactory Api { get; } = new(new Dictionary<string, string>
    {
        ["App:REQUIRE_CHAT_ID"] = "false",
        ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
    });

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await Api.StartAsync(ready: 1, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Api.DisposeAsync();
    }
}
