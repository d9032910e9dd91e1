using Microsoft.Extensions.Hosting;

namespace Interpreter.Storage.Metadata;

/// <summary>
/// Opens the metadata store when the host starts, so what stops it (another process owning the embedded database,
/// a migration that fails, an unreachable PostgreSQL) fails start-up with its own message rather than the first
/// request. Disposes the store when the host stops, which lets go of the embedded database for the next owner.
/// </summary>
internal sealed class MetadataStartup(IFileMetadataStore metadata) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => metadata.InitializeAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (metadata is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
