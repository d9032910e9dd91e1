using Interpreter.Api.Grpc.V1;

namespace Interpreter.IntegrationTests.Grpc;

/// <summary>One API process with a plaintext gRPC endpoint, shared by <see cref="GrpcTests"/>.</summary>
public sealed class GrpcFixture : IAsyncLifetime
{
    private GrpcApi? _api;

    internal GrpcApi Api => _api ?? throw new InvalidOperationException("not started");

    internal CodeInterpreterService.CodeInterpreterServiceClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await GrpcApi.StartAsync(new Dictionary<string, string>(), ready: 2, CancellationToken.None);
        Client = _api.Connect();
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }
}
