using Interpreter.Storage.Metadata;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>Answers whether the storage folder can be written and the metadata database answers, for readiness.</summary>
public sealed class StorageProbe(IOptions<StorageOptions> options, IFileMetadataStore? metadata = null)
{
    /// <summary>Writes, then deletes, a probe file in the folder's private sub-folder, then pings the metadata store.</summary>
    public async Task<bool> IsWritableAsync(CancellationToken ct)
    {
        try
        {
            // Probe files live in a sub-folder: the top level holds only blobs named by their hash.
            var folder = Path.Combine(options.Value.FileStoragePath, ".internal", "probe");
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, Guid.NewGuid().ToString("N"));
            await File.WriteAllBytesAsync(probe, [1], ct);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        try
        {
            return metadata is null || await metadata.PingAsync(ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            return false;
        }
    }
}
