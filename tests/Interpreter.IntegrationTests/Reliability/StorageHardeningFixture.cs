using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// One API as co-located frameworks run it (APP_REQUIRE_CHAT_ID=false) with a sweep every 0.2 s, the default
/// orphan grace (so a swept file's blob stays on disk for the whole test), small per-chat quotas and one allowed
/// Origin. Each test uses chats of its own.
/// </summary>
public sealed class StorageHardeningFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "https://tools.example";
    public const long ChatQuotaBytes = 256 * 1024;
    public const int ChatFileLimit = 8;

    public SandboxApiFactory Api { get; } = new(new Dictionary<string, string>
    {
        ["App:REQUIRE_CHAT_ID"] = "false",
        ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
        ["App:FILE_SWEEP_INTERVAL_SECONDS"] = "0.2",
        ["App:CHAT_STORAGE_QUOTA_BYTES"] = ChatQuotaBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["App:CHAT_FILE_LIMIT"] = ChatFileLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["App:ALLOWED_ORIGINS"] = AllowedOrigin,
    });

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await Api.StartAsync(ready: 1, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Api.DisposeAsync();
    }
}
