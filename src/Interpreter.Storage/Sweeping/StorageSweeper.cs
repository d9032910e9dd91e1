using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage.Sweeping;

/// <summary>
/// One sweep (run every APP_FILE_SWEEP_INTERVAL_SECONDS by the recurring Hangfire job <see cref="StorageSweepJob"/>): deletes expired and exhausted metadata, then the blobs no row names
/// any more. A blob is spared while it is leased in this process (an upload or execution using it) and while
/// its modification time is within APP_FILE_ORPHAN_GRACE_SECONDS (just copied in by a co-located client, or in
/// use by another replica, which refreshes it).
/// </summary>
public sealed partial class StorageSweeper(
    IFileMetadataStore metadata,
    BlobStore blobs,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<StorageSweeper> logger,
    StorageMetrics? metrics = null)
{
    private const int CandidateBatch = 500;

    // Loose temporary files of the layout before per-process folders: an older replica may still be writing one.
    private static readonly TimeSpan TemporaryFileAge = TimeSpan.FromDays(1);

    /// <summary>One sweep; public for the job, for tests and for an operator-triggered run.</summary>
    public async Task<SweepResult> SweepOnceAsync(CancellationToken ct)
    {
        // First, and so at start-up: what a crash left needs no database (which may be what is failing).
        var now = time.GetUtcNow();
        var temporary = blobs.DeleteStaleTemporaryFiles(now - TemporaryFileAge);
        var rows = await metadata.DeleteExpiredAsync(ct);
        var unusedSince = now - options.Value.OrphanGrace;

        var deleted = 0;
        foreach (var batch in blobs.Enumerate().Where(b => b.LastWrite <= unusedSince).Chunk(CandidateBatch))
        {
            var referenced = await metadata.FindReferencedAsync(batch.Select(b => b.Hash).ToArray(), ct);
            foreach (var candidate in batch.Where(b => !referenced.Contains(b.Hash)))
            {
                // Asked again under the deletion lock: a row may have been added since the batch query.
                var hash = candidate.Hash;
                if (await blobs.TryDeleteAsync(hash, unusedSince,
                        async token => (await metadata.FindReferencedAsync([hash], token)).Count > 0, ct))
                {
                    deleted++;
                }
            }
        }

        // A retired hash is remembered while its blob exists (so it is never adopted); once this or another
        // replica's sweep deleted the blob (or a crash came between the deletion and this), it is forgotten.
        var forgotten = (await metadata.ListRetiredAsync(ct))
            .Where(hash => !StorageLayout.IsBlobName(hash) || blobs.SizeOf(hash) is null).ToArray();
        await metadata.ForgetRetiredAsync(forgotten, ct);

        var result = new SweepResult(rows, deleted, temporary);
        metrics?.Swept(rows, deleted);
        if (rows + deleted + temporary > 0)
        {
            LogSwept(rows, deleted, temporary);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Storage sweep removed {Rows} metadata rows, {Blobs} blobs and {TemporaryFiles} temporary files")]
    private partial void LogSwept(int rows, int blobs, int temporaryFiles);
}
