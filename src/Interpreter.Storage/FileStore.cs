using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>
/// Stored files as the API uses them: blobs plus the metadata that says who owns them and how long and how
/// often they may be downloaded. Every blob this hands out or registers is leased meanwhile, so the sweeper
/// never deletes it underneath.
/// </summary>
public sealed partial class FileStore(
    BlobStore blobs,
    IFileMetadataStore metadata,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<FileStore> logger)
{
    private static readonly TimeSpan StoredBytesRefresh = TimeSpan.FromSeconds(1);

    private long _storedCounted;
    private long _storedSinceCount;
    private DateTimeOffset _storedCountedAt = DateTimeOffset.MinValue;

    /// <summary>Streams content to a temporary file while hashing it; see <see cref="BlobStore.StageAsync"/>.</summary>
    public Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken ct) =>
        blobs.StageAsync(content, maxBytes, ct);

    /// <summary>
    /// Makes <paramref name="staged"/> a blob (stored once per hash) and registers it as <paramref name="file"/>.
    /// Throws <see cref="StorageQuotaExceededException"/>, before anything reaches the storage folder, when the file
    /// would take its chat over APP_CHAT_FILE_LIMIT or APP_CHAT_STORAGE_QUOTA_BYTES, or new bytes would take the folder
    /// over APP_STORAGE_QUOTA_BYTES. Checked before registering, so parallel saves of one chat can overshoot by what
    /// they hold between them.
    /// </summary>
    public async Task<FileRecord> SaveAsync(StagedBlob staged, NewFile file, CancellationToken ct)
    {
        await CheckQuotasAsync(staged, file, ct);
        await using var lease = await blobs.CommitAsync(staged, ct);
        return await RegisterAsync(staged.Hash, staged.Size, file, ct);
    }

    /// <summary>
    /// Opens a file for download and takes one download, in that order, so a missing blob costs no download.
    /// Null for unknown, another chat's, expired and exhausted files alike.
    /// </summary>
    public async Task<FileDownload?> OpenDownloadAsync(FileKey key, CancellationToken ct)
    {
        var content = blobs.OpenRead(key.Hash);
        if (content is null)
        {
            return null;
        }

        try
        {
            var file = await metadata.ConsumeDownloadAsync(key, ct);
            if (file is null)
            {
                await content.DisposeAsync();
                return null;
            }

            return new FileDownload(file, content);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    /// <summary>Expires a live file now; false when there is none (same cases as a refused download).</summary>
    public Task<bool> ExpireAsync(FileKey key, CancellationToken ct) => metadata.ExpireAsync(key, ct);

    /// <summary>
    /// Leases <paramref name="hash"/> for reading when <paramref name="chatId"/> owns a live row of it and the blob
    /// exists; null otherwise. Takes no download.
    /// </summary>
    public async Task<LeasedFile?> LeaseOwnedAsync(string chatId, string hash, CancellationToken ct)
    {
        if (await metadata.FindLiveAsync(chatId, hash, ct) is null)
        {
            return null;
        }

        return await LeaseBlobAsync(hash, ct);
    }

    /// <summary>
    /// For clients that share the storage folder: a blob they copied in as <c>&lt;storage&gt;/&lt;hash&gt;</c>, which no
    /// row of any chat names or ever named, is checked against its name and registered to <paramref name="file"/>'s chat.
    /// Null when the blob is missing, registered already, retired by the service (expired, exhausted: its rows are gone
    /// but the blob waits out its orphan grace), or its bytes do not hash to its name.
    /// </summary>
    public async Task<LeasedFile?> AdoptUnregisteredAsync(string hash, NewFile file, CancellationToken ct)
    {
        if (await metadata.WasEverNamedAsync(hash, ct))
        {
            return null;
        }

        var leased = await LeaseBlobAsync(hash, ct);
        if (leased is null)
        {
            return null;
        }

        try
        {
            if (!await blobs.VerifyAsync(hash, ct))
            {
                LogHashMismatch(hash);
                await leased.DisposeAsync();
                return null;
            }

            await RegisterAsync(hash, leased.Size, file, ct);
            return leased;
        }
        catch
        {
            await leased.DisposeAsync();
            throw;
        }
    }

    /// <summary>Leases an existing blob without any ownership check (the chat's own workspace); null when missing.</summary>
    public async Task<LeasedFile?> LeaseBlobAsync(string hash, CancellationToken ct)
    {
        var lease = await blobs.LeaseAsync(hash, ct);
        if (lease is null)
        {
            return null;
        }

        if (blobs.SizeOf(hash) is not { } size)
        {
            lease.Dispose();
            return null;
        }

        return new LeasedFile(blobs, lease, size);
    }

    /// <summary>The chat's remembered workspace (path -> hash).</summary>
    public Task<IReadOnlyDictionary<string, string>> GetWorkspaceAsync(string chatId, CancellationToken ct) =>
        metadata.GetWorkspaceAsync(chatId, ct);

    /// <summary>
    /// When the chat's newest live row of <paramref name="hash"/> was created; null when it has none. Says which of
    /// two conflicting entries of a remembered workspace is the older one.
    /// </summary>
    public async Task<DateTimeOffset?> WorkspaceEntryStoredAtAsync(string chatId, string hash, CancellationToken ct) =>
        (await metadata.FindLiveAsync(chatId, hash, ct))?.CreatedAt;

    /// <summary>Remembers the chat's workspace, expiring like the outputs of the execution that left it.</summary>
    public Task SaveWorkspaceAsync(string chatId, IReadOnlyDictionary<string, string> files, DownloadLimits limits, CancellationToken ct) =>
        metadata.SaveWorkspaceAsync(chatId, files, limits.ExpiresAt(time.GetUtcNow()), ct);

    private async Task CheckQuotasAsync(StagedBlob staged, NewFile file, CancellationToken ct)
    {
        var settings = options.Value;
        if (settings.ChatFileLimit > 0 || settings.ChatStorageQuotaBytes > 0)
        {
            var usage = await metadata.GetChatUsageAsync(new FileKey(file.ChatId, staged.Hash, file.Filename), ct);
            if (settings.ChatFileLimit > 0 && usage.Files + 1 > settings.ChatFileLimit)
            {
                throw new StorageQuotaExceededException("APP_CHAT_FILE_LIMIT",
                    $"Chat '{file.ChatId}' holds {usage.Files} live files, the most allowed (APP_CHAT_FILE_LIMIT={settings.ChatFileLimit}); expire some first.");
            }

            if (settings.ChatStorageQuotaBytes > 0 && usage.Bytes + staged.Size > settings.ChatStorageQuotaBytes)
            {
                throw new StorageQuotaExceededException("APP_CHAT_STORAGE_QUOTA_BYTES",
                    $"Storing {staged.Size} bytes would take chat '{file.ChatId}' from {usage.Bytes} bytes over its quota (APP_CHAT_STORAGE_QUOTA_BYTES={settings.ChatStorageQuotaBytes}); expire some files first.");
            }
        }

        // Bytes already stored cost nothing more: only a new blob counts against the folder's quota.
        if (settings.StorageQuotaBytes > 0 && blobs.SizeOf(staged.Hash) != staged.Size)
        {
            var stored = await StoredBytesAsync(ct);
            if (stored + staged.Size > settings.StorageQuotaBytes)
            {
                throw new StorageQuotaExceededException("APP_STORAGE_QUOTA_BYTES",
                    $"Storing {staged.Size} bytes would take the storage from {stored} bytes over its quota (APP_STORAGE_QUOTA_BYTES={settings.StorageQuotaBytes}).");
            }

            Interlocked.Add(ref _storedSinceCount, staged.Size);
        }
    }

    /// <summary>
    /// The folder's stored bytes: summed by the database at most once per <see cref="StoredBytesRefresh"/> (a run
    /// storing 1,000 outputs must not sum every row 1,000 times), plus what this process stored since.
    /// </summary>
    private async Task<long> StoredBytesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now - _storedCountedAt >= StoredBytesRefresh)
        {
            var counted = await metadata.GetStoredBytesAsync(ct);
            Interlocked.Exchange(ref _storedSinceCount, 0);
            Interlocked.Exchange(ref _storedCounted, counted);
            _storedCountedAt = now;
        }

        return Interlocked.Read(ref _storedCounted) + Interlocked.Read(ref _storedSinceCount);
    }

    private Task<FileRecord> RegisterAsync(string hash, long size, NewFile file, CancellationToken ct)
    {
        // Milliseconds: what both backends keep, so a record reads back as it was written.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        return metadata.RegisterAsync(new FileRecord(
            file.ChatId,
            hash,
            file.Filename,
            size,
            file.ContentType,
            file.Limits.RemainingDownloads(options.Value.GlobalMaxDownloads),
            file.Limits.ExpiresAt(now),
            now), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Hash} in the storage folder does not hash to its name; refused")]
    private partial void LogHashMismatch(string hash);
}
