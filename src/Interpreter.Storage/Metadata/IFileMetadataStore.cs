namespace Interpreter.Storage.Metadata;

/// <summary>
/// File metadata and persistent workspaces. "Live" means not expired and not out of downloads; every query
/// that serves a client looks at live rows only, so an expired row is gone for clients before the sweeper
/// deletes it. Implementations: SQLite (embedded, one replica) and PostgreSQL (shared by replicas).
/// </summary>
public interface IFileMetadataStore
{
    /// <summary>Creates the schema if needed; safe to call repeatedly and from several replicas at once.</summary>
    Task InitializeAsync(CancellationToken ct);

    /// <summary>True when the database answers.</summary>
    Task<bool> PingAsync(CancellationToken ct);

    /// <summary>Inserts the row, or replaces size, type and limits of an existing one with the same key.</summary>
    Task<FileRecord> RegisterAsync(FileRecord file, CancellationToken ct);

    /// <summary>A live row of <paramref name="chatId"/> for the content <paramref name="hash"/>, any filename.</summary>
    Task<FileRecord?> FindLiveAsync(string chatId, string hash, CancellationToken ct);

    /// <summary>True when any row of any chat, live or not, names <paramref name="hash"/>.</summary>
    Task<bool> IsRegisteredAsync(string hash, CancellationToken ct);

    /// <summary>
    /// True when a file row or workspace entry names <paramref name="hash"/> now, or a file row or workspace entry
    /// named it once and was retired (expired, exhausted, deleted by the sweep) while its blob is still stored. The
    /// shared-directory rule adopts only blobs for which this is false: ones a co-located client copied in.
    /// </summary>
    Task<bool> WasEverNamedAsync(string hash, CancellationToken ct);

    /// <summary>
    /// Takes one download of a live row in a single conditional update and returns the row after it; null when
    /// there is no live row (unknown, other chat, expired or exhausted). Unlimited rows stay unlimited.
    /// </summary>
    Task<FileRecord?> ConsumeDownloadAsync(FileKey key, CancellationToken ct);

    /// <summary>Expires a live row now; false when there was no live row.</summary>
    Task<bool> ExpireAsync(FileKey key, CancellationToken ct);

    /// <summary>
    /// The live files of <paramref name="key"/>'s chat other than <paramref name="key"/> itself (which a new
    /// registration would replace): their summed sizes and their number.
    /// </summary>
    Task<ChatUsage> GetChatUsageAsync(FileKey key, CancellationToken ct);

    /// <summary>Bytes of the distinct blobs the file rows name (each hash counted once, live or not yet swept).</summary>
    Task<long> GetStoredBytesAsync(CancellationToken ct);

    /// <summary>The chat's remembered workspace (path -> hash), its expired entries left out.</summary>
    Task<IReadOnlyDictionary<string, string>> GetWorkspaceAsync(string chatId, CancellationToken ct);

    /// <summary>Replaces the chat's remembered workspace in one transaction.</summary>
    Task SaveWorkspaceAsync(string chatId, IReadOnlyDictionary<string, string> files, DateTimeOffset? expiresAt, CancellationToken ct);

    /// <summary>
    /// Deletes expired and exhausted file rows and expired workspace entries, and records their hashes as retired in
    /// the same statement or transaction (see <see cref="WasEverNamedAsync"/>); returns how many rows went.
    /// </summary>
    Task<int> DeleteExpiredAsync(CancellationToken ct);

    /// <summary>The hashes recorded as retired (bounded by the blobs still stored: each is forgotten once its blob is gone).</summary>
    Task<IReadOnlyList<string>> ListRetiredAsync(CancellationToken ct);

    /// <summary>Forgets the retirement of <paramref name="hashes"/>, whose blobs the sweeper has deleted.</summary>
    Task ForgetRetiredAsync(IReadOnlyCollection<string> hashes, CancellationToken ct);

    /// <summary>Which of <paramref name="hashes"/> a file row or workspace entry still names.</summary>
    Task<IReadOnlySet<string>> FindReferencedAsync(IReadOnlyCollection<string> hashes, CancellationToken ct);
}
