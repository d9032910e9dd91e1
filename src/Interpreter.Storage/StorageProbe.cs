using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>Answers whether the storage folder exists and can be written, for readiness.</summary>
public sealed class StorageProbe(IOptions<StorageOptions> options)
{
    /// <summary>Creates the folder if needed and writes, then deletes, a probe file in its private sub-folder.</summary>
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
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
