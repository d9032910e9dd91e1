using Microsoft.Extensions.Configuration;

namespace Interpreter.Storage;

/// <summary>File storage settings, bound from <c>APP_*</c> variables (section <see cref="Section"/>).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section every <c>APP_</c> variable lands in.</summary>
    public const string Section = "App";

    /// <summary>Folder holding blobs as <c>&lt;sha256 hex&gt;</c> (flat), shared with co-located agent frameworks.</summary>
    [ConfigurationKeyName("FILE_STORAGE_PATH")]
    public string FileStoragePath { get; set; } = "/tmp/code_interp";

    /// <summary>Downloads a file gets when a request names no <c>max_downloads</c>; 0 means unlimited.</summary>
    [ConfigurationKeyName("GLOBAL_MAX_DOWNLOADS")]
    public long GlobalMaxDownloads { get; set; }

    /// <summary>
    /// Where file metadata lives: <c>litedb</c> (embedded, one process per storage folder) or <c>postgres</c> (shared
    /// by replicas). <c>sqlite</c>, the embedded store of earlier releases, is still accepted and means <c>litedb</c>:
    /// the SQLite database is migrated into LiteDB on the first start.
    /// </summary>
    [ConfigurationKeyName("METADATA_BACKEND")]
    public string MetadataBackend { get; set; } = "litedb";

    /// <summary>
    /// For <c>postgres</c>: a <c>postgresql://user:password@host:port/database</c> URL or an Npgsql connection string
    /// (required). For <c>litedb</c>: the LiteDB file (default <c>&lt;storage&gt;/.internal/metadata.litedb</c>). For
    /// <c>sqlite</c>: the SQLite file of an earlier release, migrated into the same path with the extension <c>.litedb</c>.
    /// </summary>
    [ConfigurationKeyName("METADATA_DATABASE_URL")]
    public string MetadataDatabaseUrl { get; set; } = "";

    /// <summary>
    /// How long a starting process waits for another process that holds the embedded (LiteDB) metadata database, e.g.
    /// the previous instance still shutting down, before start-up fails naming the cause.
    /// </summary>
    [ConfigurationKeyName("METADATA_OWNER_WAIT_SECONDS")]
    public double MetadataOwnerWaitSeconds { get; set; } = 30;

    /// <summary>True when the embedded LiteDB store is used (<c>litedb</c>, or <c>sqlite</c> from earlier releases).</summary>
    public bool UsesLiteDb => MetadataBackend is "litedb" or "sqlite";

    internal TimeSpan MetadataOwnerWait => TimeSpan.FromSeconds(MetadataOwnerWaitSeconds);

    /// <summary>Seconds between two runs of the sweeper that removes expired files.</summary>
    [ConfigurationKeyName("FILE_SWEEP_INTERVAL_SECONDS")]
    public double SweepIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// A blob that no metadata row references is deleted only when it was last written or used longer ago than this:
    /// it covers blobs a co-located client copied in just before naming them, and uses by other replicas.
    /// </summary>
    [ConfigurationKeyName("FILE_ORPHAN_GRACE_SECONDS")]
    public double OrphanGraceSeconds { get; set; } = 900;

    /// <summary>Most bytes one chat's live files may hold (each file counted, deduplicated or not); 0 = unlimited.</summary>
    [ConfigurationKeyName("CHAT_STORAGE_QUOTA_BYTES")]
    public long ChatStorageQuotaBytes { get; set; } = 10L << 30;

    /// <summary>Most live files one chat may hold; 0 = unlimited.</summary>
    [ConfigurationKeyName("CHAT_FILE_LIMIT")]
    public long ChatFileLimit { get; set; } = 10_000;

    /// <summary>Most bytes of distinct blobs all chats' files may name together; 0 = unlimited.</summary>
    [ConfigurationKeyName("STORAGE_QUOTA_BYTES")]
    public long StorageQuotaBytes { get; set; } = 100L << 30;

    internal TimeSpan SweepInterval => TimeSpan.FromSeconds(SweepIntervalSeconds);

    internal TimeSpan OrphanGrace => TimeSpan.FromSeconds(OrphanGraceSeconds);
}
