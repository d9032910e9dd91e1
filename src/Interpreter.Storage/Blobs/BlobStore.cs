using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Interpreter.Storage.Blobs;

/// <summary>
/// Content-addressed blobs at exactly <c>&lt;storage&gt;/&lt;sha256 hex&gt;</c>, each stored once. Content is
/// streamed into a temporary file under <c>.internal/tmp</c> while it is hashed, never held whole in memory,
/// then moved into place in one step, so a blob's name always matches its bytes.
/// </summary>
public sealed partial class BlobStore(
    StorageLayout layout,
    BlobLeases leases,
    TimeProvider time,
    ILogger<BlobStore> logger,
    StorageMetrics? metrics = null) : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly Lock _tempLock = new();
    private ProcessTempFolder? _temp;
    private bool _disposed;

    /// <summary>The layout this store writes.</summary>
    public StorageLayout Layout => layout;

    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file while hashing it. Throws
    /// <see cref="FileTooLargeException"/> (and keeps nothing) when it is longer than <paramref name="maxBytes"/>.
    /// </summary>
    public async Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken ct)
    {
        var tempPath = Path.Combine(OwnTempFolder(), Guid.NewGuid().ToString("N") + ".part");
        // Two buffers: the disk write of one overlaps reading and hashing the next.
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize)];
        try
        {
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(tempPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            }))
            {
                var pendingWrite = Task.CompletedTask;
                try
                {
                    var current = 0;
                    int read;
                    while ((read = await content.ReadAsync(buffers[current].AsMemory(0, BufferSize), ct)) > 0)
                    {
                        size += read;
                        if (size > maxBytes)
                        {
                            throw new FileTooLargeException(maxBytes);
                        }

                        sha256.AppendData(buffers[current], 0, read);
                        await pendingWrite;
                        pendingWrite = file.WriteAsync(buffers[current].AsMemory(0, read), ct).AsTask();
                        current ^= 1;
                    }

                    await pendingWrite;
                }
                catch
                {
                    // A write still in flight must end before the file is closed and its buffer returned.
                    await pendingWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    throw;
                }

                // The blob is named by its hash: its bytes must be on disk before the name is.
                file.Flush(flushToDisk: true);
            }

            return new StagedBlob(tempPath, Convert.ToHexStringLower(sha256.GetHashAndReset()), size);
        }
        catch
        {
            DeleteQuietly(tempPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    /// <summary>
    /// Makes <paramref name="staged"/> the blob of its hash, or drops it when that blob exists already (the same
    /// bytes are stored once). The returned lease keeps the sweeper away until the caller has registered it.
    /// </summary>
    public async Task<BlobLease> CommitAsync(StagedBlob staged, CancellationToken ct)
    {
        var lease = await leases.AcquireAsync(staged.Hash, ct);
        try
        {
            var target = layout.BlobPath(staged.Hash);
            var existing = new FileInfo(target);
            if (existing.Exists && existing.Length == staged.Size)
            {
                DeleteQuietly(staged.TempPath);
                Touch(target);
                metrics?.Deduplicated();
                LogDeduplicated(staged.Hash);
            }
            else
            {
                try
                {
                    // A blob of the wrong length was cut short by whoever copied it in: the verified bytes replace it.
                    File.Move(staged.TempPath, target, overwrite: existing.Exists);
                    metrics?.Stored(staged.Size);
                    LogStored(staged.Hash, staged.Size);
                }
                catch (IOException) when (new FileInfo(target) is { Exists: true } raced && raced.Length == staged.Size)
                {
                    // Another writer (here or in another replica) put the same bytes in place first.
                    DeleteQuietly(staged.TempPath);
                    metrics?.Deduplicated();
                    LogDeduplicated(staged.Hash);
                }
            }

            staged.Committed = true;
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A lease of an existing blob, its modification time refreshed (other replicas' sweepers honour that);
    /// null when there is no such blob.
    /// </summary>
    public async Task<BlobLease?> LeaseAsync(string hash, CancellationToken ct)
    {
        var lease = await leases.AcquireAsync(hash, ct);
        var path = layout.BlobPath(hash);
        if (!File.Exists(path))
        {
            lease.Dispose();
            return null;
        }

        Touch(path);
        return lease;
    }

    /// <summary>Length of a blob, or null when there is none.</summary>
    public long? SizeOf(string hash)
    {
        var info = new FileInfo(layout.BlobPath(hash));
        return info.Exists ? info.Length : null;
    }

    /// <summary>Opens a blob for reading, or null when there is none. The open stream outlives a deletion.</summary>
    public FileStream? OpenRead(string hash)
    {
        try
        {
            return new FileStream(layout.BlobPath(hash), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>True when the blob exists and its bytes really hash to its name (a client may have copied it in).</summary>
    public async Task<bool> VerifyAsync(string hash, CancellationToken ct)
    {
        await using var stream = OpenRead(hash);
        if (stream is null)
        {
            return false;
        }

        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        return string.Equals(actual, hash, StringComparison.Ordinal);
    }

    /// <summary>Every blob at the top level of the storage folder; other names there are not ours and are skipped.</summary>
    public IEnumerable<BlobEntry> Enumerate()
    {
        if (!Directory.Exists(layout.Root))
        {
            yield break;
        }

        foreach (var info in new DirectoryInfo(layout.Root).EnumerateFiles())
        {
            if (StorageLayout.IsBlobName(info.Name))
            {
                yield return new BlobEntry(info.Name, info.Length, info.LastWriteTimeUtc);
            }
        }
    }

    /// <summary>
    /// Deletes a blob unless it is leased, was written or used after <paramref name="unusedSince"/>, or
    /// <paramref name="isReferenced"/> says a metadata row still names it (asked while new leases wait).
    /// </summary>
    public async Task<bool> TryDeleteAsync(
        string hash, DateTimeOffset unusedSince, Func<CancellationToken, Task<bool>> isReferenced, CancellationToken ct)
    {
        using var deletion = leases.TryBeginDelete(hash);
        if (deletion is null)
        {
            return false;
        }

        var path = layout.BlobPath(hash);
        var info = new FileInfo(path);
        if (!info.Exists || info.LastWriteTimeUtc > unusedSince.UtcDateTime || await isReferenced(ct))
        {
            return false;
        }

        File.Delete(path);
        LogDeleted(hash);
        return true;
    }

    /// <summary>
    /// Deletes what crashes left in <c>.internal/tmp</c>: every per-process folder no live process holds (see
    /// <see cref="ProcessTempFolder"/>), and loose temporary files of the layout before it last written before
    /// <paramref name="olderThan"/> (a replica of an older version may still be writing those). Returns how many
    /// files went.
    /// </summary>
    public int DeleteStaleTemporaryFiles(DateTimeOffset olderThan)
    {
        if (!Directory.Exists(layout.Temp))
        {
            return 0;
        }

        var own = OwnTempFolderOrNull();
        var deleted = 0;
        if (own?.LocksHold == false)
        {
            LogLocksDoNotHold(layout.Temp);
        }
        else
        {
            deleted += ProcessTempFolder.DeleteAbandoned(layout.Temp, time.GetUtcNow(), own?.Path);
        }

        foreach (var info in new DirectoryInfo(layout.Temp).EnumerateFiles())
        {
            if (info.LastWriteTimeUtc < olderThan.UtcDateTime)
            {
                DeleteQuietly(info.FullName);
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Lets go of this process's temporary folder (and its lock), removing it.</summary>
    public void Dispose()
    {
        lock (_tempLock)
        {
            _disposed = true;
            _temp?.Dispose();
            _temp = null;
        }
    }

    internal static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>This process's folder, made now when it is not yet (so its lock is known to hold); null once disposed.</summary>
    private ProcessTempFolder? OwnTempFolderOrNull()
    {
        lock (_tempLock)
        {
            if (_disposed)
            {
                return null;
            }

            OwnTempFolder();
            return _temp;
        }
    }

    /// <summary>This process's locked temporary folder, made on first use (and again should someone remove it).</summary>
    private string OwnTempFolder()
    {
        lock (_tempLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_temp is null || !Directory.Exists(_temp.Path))
            {
                _temp?.Dispose();
                _temp = ProcessTempFolder.Create(layout.Temp);
            }

            return _temp.Path;
        }
    }

    private void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, time.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A blob copied in by another user may not be ours to touch; the in-process lease still holds.
            LogTouchFailed(Path.GetFileName(path), e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "File locks do not hold in {Temp} (file locking disabled, or a file system without flock): temporary folders of dead processes are not removed")]
    private partial void LogLocksDoNotHold(string temp);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored blob {Hash} ({Size} bytes)")]
    private partial void LogStored(string hash, long size);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Blob {Hash} exists already; the new copy was dropped")]
    private partial void LogDeduplicated(string hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted blob {Hash}: no metadata references it")]
    private partial void LogDeleted(string hash);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not refresh the modification time of blob {Hash}: {Reason}")]
    private partial void LogTouchFailed(string hash, string reason);
}
