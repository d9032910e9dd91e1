using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interpreter.Storage.Metadata.LiteDb;

/// <summary>
/// Metadata in an embedded LiteDB file, the default for one replica. The file is opened in LiteDB's direct mode
/// by one process only (see <see cref="MetadataOwnerLock"/>); inside it every change is made under one writer gate
/// and checkpointed to disk before it returns, and every change a client can race on (the last download above all)
/// is a single conditional <c>UpdateMany</c>. A database written by the SQLite store of earlier releases is migrated on first start
/// (<see cref="SqliteMetadataMigration"/>). Times are stored as Unix milliseconds (UTC), as SQLite stored them.
/// </summary>
public sealed partial class LiteDbFileMetadataStore : IFileMetadataStore, IAsyncDisposable
{
    internal const string Files = "files";
    internal const string Workspace = "workspace_files";
    internal const string Retired = "retired_blobs";

    private const string LiveFile =
        "($.remaining = null OR $.remaining > 0) AND ($.expires = null OR $.expires > @1)";

    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly TimeProvider _time;
    private readonly TimeSpan _ownerWait;
    private readonly string? _legacySqlitePath;
    private readonly ILogger _logger;
    private MetadataOwnerLock? _owner;
    private LiteDatabase? _db;

    /// <summary>
    /// A store in <paramref name="databasePath"/> (created with its folder if missing). <paramref name="legacySqlitePath"/>
    /// is the SQLite database of earlier releases to migrate from when it exists; <paramref name="ownerWait"/> is how
    /// long to wait for another process holding the file.
    /// </summary>
    public LiteDbFileMetadataStore(
        string databasePath, TimeProvider time, TimeSpan ownerWait, string? legacySqlitePath = null, ILogger? logger = null)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _time = time;
        _ownerWait = ownerWait;
        _legacySqlitePath = legacySqlitePath is null ? null : Path.GetFullPath(legacySqlitePath);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The LiteDB database file.</summary>
    public string DatabasePath { get; }

    /// <summary>LiteDB's connection settings for <paramref name="path"/>: direct mode, no implicit upgrade.</summary>
    internal static ConnectionString Connection(string path) => new()
    {
        Filename = path,
        Connection = ConnectionType.Direct,
        Upgrade = false,
    };

    /// <summary>The _id of a file row: the chat's length prefixes it, so no chat id or file name can collide.</summary>
    internal static string FileId(string chat, string hash, string name) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{chat.Length}:{chat}/{hash}/{name}");

    /// <summary>The _id of a workspace entry.</summary>
    internal static string WorkspaceId(string chat, string path) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{chat.Length}:{chat}/{path}");

    /// <summary>A file row as stored.</summary>
    internal static BsonDocument ToDocument(FileRecord file) => new()
    {
        ["_id"] = FileId(file.ChatId, file.Hash, file.Filename),
        ["chat"] = file.ChatId,
        ["hash"] = file.Hash,
        ["name"] = file.Filename,
        ["size"] = file.Size,
        ["type"] = file.ContentType,
        ["remaining"] = file.RemainingDownloads is { } remaining ? new BsonValue(remaining) : BsonValue.Null,
        ["expires"] = file.ExpiresAt is { } expires ? new BsonValue(expires.ToUnixTimeMilliseconds()) : BsonValue.Null,
        ["created"] = file.CreatedAt.ToUnixTimeMilliseconds(),
    };

    /// <summary>A workspace entry as stored.</summary>
    internal static BsonDocument WorkspaceDocument(string chat, string path, string hash, long? expiresMs) => new()
    {
        ["_id"] = WorkspaceId(chat, path),
        ["chat"] = chat,
        ["path"] = path,
        ["hash"] = hash,
        ["expires"] = expiresMs is { } ms ? new BsonValue(ms) : BsonValue.Null,
    };

    /// <summary>Creates the collections' indexes on <paramref name="db"/>.</summary>
    internal static void EnsureIndexes(LiteDatabase db)
    {
        var files = db.GetCollection(Files);
        files.EnsureIndex("hash", "$.hash");
        files.EnsureIndex("chat", "$.chat");
        var workspace = db.GetCollection(Workspace);
        workspace.EnsureIndex("chat", "$.chat");
        workspace.EnsureIndex("hash", "$.hash");
    }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken ct) => await OpenAsync(ct);

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            // A read through the index pages: answers only while the file is open and readable.
            var db = await OpenAsync(ct);
            return db.GetCollection(Files).Count(Query.EQ("_id", "")) >= 0;
        }
        catch (LiteException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<FileRecord> RegisterAsync(FileRecord file, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var files = db.GetCollection(Files);
        return await WriteAsync(db, () =>
        {
            var id = FileId(file.ChatId, file.Hash, file.Filename);

            // Same key again: new size, type and limits, the first registration's created_at (as the SQL upsert).
            var existing = files.FindById(id);
            var stored = existing is null ? file : file with { CreatedAt = Read(existing).CreatedAt };
            files.Upsert(ToDocument(stored));
            return stored;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<FileRecord?> FindLiveAsync(string chatId, string hash, CancellationToken ct)
    {
        var files = (await OpenAsync(ct)).GetCollection(Files);
        var now = NowMs();
        return files.Find(Query.EQ("hash", hash))
            .Where(d => d["chat"].AsString == chatId && IsLive(d, now))
            .Select(Read)
            .OrderByDescending(f => f.CreatedAt)
            .FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<bool> IsRegisteredAsync(string hash, CancellationToken ct) =>
        (await OpenAsync(ct)).GetCollection(Files).Exists(Query.EQ("hash", hash));

    /// <inheritdoc />
    public async Task<bool> WasEverNamedAsync(string hash, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        return db.GetCollection(Files).Exists(Query.EQ("hash", hash))
            || db.GetCollection(Workspace).Exists(Query.EQ("hash", hash))
            || db.GetCollection(Retired).FindById(hash) is not null;
    }

    /// <inheritdoc />
    public async Task<FileRecord?> ConsumeDownloadAsync(FileKey key, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var files = db.GetCollection(Files);
        var id = FileId(key.ChatId, key.Hash, key.Filename);
        return await WriteAsync(db, () =>
        {
            var now = NowMs();
            var row = files.FindById(id);
            if (row is null || !IsLive(row, now))
            {
                return null;
            }

            if (row["remaining"].IsNull)
            {
                return Read(row);
            }

            // The decision is the conditional update itself (measured: exactly one of 50 racing callers wins the
            // last download), so it holds even without the gate; the gate makes the row returned the one it left.
            var taken = files.UpdateMany(
                BsonExpression.Create("{ remaining: $.remaining - 1 }"),
                BsonExpression.Create("$._id = @0 AND $.remaining > 0 AND ($.expires = null OR $.expires > @1)", id, now));
            return taken == 1 ? Read(files.FindById(id)) : null;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<bool> ExpireAsync(FileKey key, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var files = db.GetCollection(Files);
        var id = FileId(key.ChatId, key.Hash, key.Filename);
        return await WriteAsync(db, () =>
        {
            var now = NowMs();
            return files.UpdateMany(
                BsonExpression.Create("{ expires: @1 }", id, now),
                BsonExpression.Create("$._id = @0 AND " + LiveFile, id, now)) > 0;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<ChatUsage> GetChatUsageAsync(FileKey key, CancellationToken ct)
    {
        var files = (await OpenAsync(ct)).GetCollection(Files);
        var now = NowMs();
        var excluded = FileId(key.ChatId, key.Hash, key.Filename);
        long bytes = 0, count = 0;
        foreach (var row in files.Find(Query.EQ("chat", key.ChatId)))
        {
            if (row["_id"].AsString != excluded && IsLive(row, now))
            {
                bytes += row["size"].AsInt64;
                count++;
            }
        }

        return new ChatUsage(bytes, count);
    }

    /// <inheritdoc />
    public async Task<long> GetStoredBytesAsync(CancellationToken ct)
    {
        var files = (await OpenAsync(ct)).GetCollection(Files);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in files.Query().Select(BsonExpression.Create("{ hash: $.hash, size: $.size }")).ToEnumerable())
        {
            var hash = row["hash"].AsString;
            var size = row["size"].AsInt64;
            sizes[hash] = sizes.TryGetValue(hash, out var known) ? Math.Max(known, size) : size;
        }

        return sizes.Values.Sum();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetWorkspaceAsync(string chatId, CancellationToken ct)
    {
        var workspace = (await OpenAsync(ct)).GetCollection(Workspace);
        var now = NowMs();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in workspace.Find(Query.EQ("chat", chatId)))
        {
            if (row["expires"].IsNull || row["expires"].AsInt64 > now)
            {
                files[row["path"].AsString] = row["hash"].AsString;
            }
        }

        return files;
    }

    /// <inheritdoc />
    public async Task SaveWorkspaceAsync(
        string chatId, IReadOnlyDictionary<string, string> files, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var workspace = db.GetCollection(Workspace);
        var expires = expiresAt?.ToUnixTimeMilliseconds();
        await WriteAsync(db, () =>
        {
            InTransaction(db, () =>
            {
                workspace.DeleteMany(Query.EQ("chat", chatId));
                if (files.Count > 0)
                {
                    workspace.InsertBulk(files.Select(f => WorkspaceDocument(chatId, f.Key, f.Value, expires)));
                }
            });
            return true;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var files = db.GetCollection(Files);
        var workspace = db.GetCollection(Workspace);
        var retired = db.GetCollection(Retired);
        return await WriteAsync(db, () =>
        {
            var now = NowMs();

            // One transaction: no row leaves without its hash recorded as retired (a crash keeps both or neither).
            return InTransaction(db, () =>
            {
                var goneFiles = files.Find(BsonExpression.Create("$.remaining = 0 OR ($.expires != null AND $.expires <= @0)", now)).ToList();
                var goneWorkspace = workspace.Find(BsonExpression.Create("$.expires != null AND $.expires <= @0", now)).ToList();
                foreach (var hash in goneFiles.Concat(goneWorkspace).Select(d => d["hash"].AsString).Distinct(StringComparer.Ordinal))
                {
                    if (retired.FindById(hash) is null)
                    {
                        retired.Insert(new BsonDocument { ["_id"] = hash, ["retired"] = now });
                    }
                }

                foreach (var row in goneFiles)
                {
                    files.Delete(row["_id"]);
                }

                foreach (var row in goneWorkspace)
                {
                    workspace.Delete(row["_id"]);
                }

                return goneFiles.Count + goneWorkspace.Count;
            });
        }, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListRetiredAsync(CancellationToken ct) =>
        (await OpenAsync(ct)).GetCollection(Retired).FindAll().Select(d => d["_id"].AsString).ToList();

    /// <inheritdoc />
    public async Task ForgetRetiredAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        if (hashes.Count == 0)
        {
            return;
        }

        var db = await OpenAsync(ct);
        var retired = db.GetCollection(Retired);
        await WriteAsync(db, () =>
        {
            foreach (var hash in hashes)
            {
                retired.Delete(hash);
            }

            return true;
        }, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindReferencedAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        var db = await OpenAsync(ct);
        var files = db.GetCollection(Files);
        var workspace = db.GetCollection(Workspace);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hash in hashes)
        {
            if (files.Exists(Query.EQ("hash", hash)) || workspace.Exists(Query.EQ("hash", hash)))
            {
                referenced.Add(hash);
            }
        }

        return referenced;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _opening.WaitAsync();
        try
        {
            // Closing checkpoints the log into the data file; only then is the file let go for another owner.
            _db?.Dispose();
            _db = null;
            _owner?.Dispose();
            _owner = null;
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>Reads a stored file row.</summary>
    internal static FileRecord Read(BsonDocument row) => new(
        row["chat"].AsString,
        row["hash"].AsString,
        row["name"].AsString,
        row["size"].AsInt64,
        row["type"].AsString,
        row["remaining"].IsNull ? null : row["remaining"].AsInt64,
        row["expires"].IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(row["expires"].AsInt64),
        DateTimeOffset.FromUnixTimeMilliseconds(row["created"].AsInt64));

    private static bool IsLive(BsonDocument row, long now) =>
        (row["remaining"].IsNull || row["remaining"].AsInt64 > 0)
        && (row["expires"].IsNull || row["expires"].AsInt64 > now);

    private static T InTransaction<T>(LiteDatabase db, Func<T> work)
    {
        // LiteDB's transactions belong to the calling thread: this runs synchronously, with no await inside.
        db.BeginTrans();
        try
        {
            var result = work();
            db.Commit();
            return result;
        }
        catch
        {
            db.Rollback();
            throw;
        }
    }

    private static void InTransaction(LiteDatabase db, Action work) => InTransaction(db, () =>
    {
        work();
        return true;
    });

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> WriteAsync<T>(LiteDatabase db, Func<T> write, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            var result = write();

            // LiteDB 5.0 hands a commit's log pages to a background writer thread and returns: a kill -9 right after
            // could lose a write already acknowledged (a file, a download taken). The checkpoint waits for that
            // thread, moves the log into the data file and flushes it to disk, so what this returns is on disk
            // (about one fsync per write, as SQLite's WAL had; measured in docs/storage.md).
            db.Checkpoint();
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    private async ValueTask<LiteDatabase> OpenAsync(CancellationToken ct)
    {
        if (_db is { } open)
        {
            return open;
        }

        await _opening.WaitAsync(ct);
        try
        {
            if (_db is null)
            {
                _owner = await MetadataOwnerLock.AcquireAsync(DatabasePath, _ownerWait, _time, ct);
                try
                {
                    if (_legacySqlitePath is not null)
                    {
                        await SqliteMetadataMigration.RunAsync(_legacySqlitePath, DatabasePath, _logger, ct);
                    }

                    var db = new LiteDatabase(Connection(DatabasePath));
                    EnsureIndexes(db);
                    _db = db;
                    LogOpened(DatabasePath);
                }
                catch
                {
                    _owner.Dispose();
                    _owner = null;
                    throw;
                }
            }

            return _db;
        }
        finally
        {
            _opening.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metadata store: LiteDB {DatabasePath} (direct mode, owned by this process)")]
    private partial void LogOpened(string databasePath);
}
