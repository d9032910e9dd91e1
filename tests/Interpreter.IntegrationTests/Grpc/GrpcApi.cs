using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Interpreter.Api.Grpc.V1;
using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.Grpc;

/// <summary>
/// The API as a real process with its gRPC endpoint on a port of its own, and a Grpc.Net.Client channel to it made
/// by <see cref="Connect"/>. The settings may turn TLS on; the caller then brings the channel's handler.
/// </summary>
internal sealed class GrpcApi : IAsyncDisposable
{
    private readonly string _storage;

    private GrpcApi(ApiProcess process, int grpcPort, string storage)
    {
        Process = process;
        GrpcPort = grpcPort;
        _storage = storage;
    }

    public ApiProcess Process { get; }

    public int GrpcPort { get; }

    /// <summary>Starts the API with gRPC enabled and waits until its pool holds <paramref name="ready"/> sandboxes.</summary>
    public static async Task<GrpcApi> StartAsync(IReadOnlyDictionary<string, string> settings, int ready, CancellationToken ct)
    {
        var instance = "grpc-" + Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        var port = ApiProcess.FreePort();
        var all = new Dictionary<string, string>
        {
            ["APP_GRPC_ENABLED"] = "true",
            ["APP_GRPC_LISTEN_ADDR"] = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = ready.ToString(CultureInfo.InvariantCulture),
            ["APP_EXECUTOR_MEMORY_LIMIT"] = "384Mi",
            ["APP_WORKSPACE_SIZE_LIMIT"] = "64Mi",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var process = ApiProcess.Start(instance, storage, all);
        var api = new GrpcApi(process, port, storage);
        try
        {
            await Eventually.TrueAsync(async () => process.HasExited || await process.PoolAsync(ct) is { } pool && pool.Ready >= ready,
                TimeSpan.FromSeconds(90), $"the API to start with {ready} ready sandboxes", ct);
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the API exited at start-up:\n{process.RecentOutput}");
            }
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    /// <summary>A client over plaintext HTTP/2, or over TLS with <paramref name="handler"/>.</summary>
    public CodeInterpreterService.CodeInterpreterServiceClient Connect(HttpMessageHandler? handler = null)
    {
        var scheme = handler is null ? "http" : "https";
        var channel = GrpcChannel.ForAddress($"{scheme}://127.0.0.1:{GrpcPort.ToString(CultureInfo.InvariantCulture)}",
            new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        return new CodeInterpreterService.CodeInterpreterServiceClient(channel);
    }

    /// <summary>Call options naming the chat in the <c>chat-id</c> metadata key (none when null).</summary>
    public static CallOptions As(string? chatId, CancellationToken ct) =>
        new(chatId is null ? null : new Metadata { { "chat-id", chatId } }, DateTime.UtcNow.AddMinutes(2), ct);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }
}
