using LiteDB;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Interpreter.Storage.Metadata.LiteDb;

/// <summary>
/// Moves the SQLite metadata of releases before LiteDB (<c>.internal/metadata.db</c>) into the LiteDB file: every
/// file row, every remembered workspace entry and every retired hash. The copy is written to a side file that
/// becomes the LiteDB database by one rename only once it is complete, closed and counted; the SQLite database is
/// renamed to <c>metadata.db.migrated</c> only after that (kept, for a rollback). A run cut short (kill -9) leaves
/// the SQLite database untouched and at most a side file, which the next start deletes before copying again.
/// Runs while this process holds <see cref="MetadataOwnerLock"/>.
/// </summary>
internal static partial class SqliteMetadataMigration
{
    private const int Batch = 5000;

    /// <summary>Suffix the SQLite database (and its -wal/-shm) gets once its content is in LiteDB.</summary>
    public const string MigratedSuffix = ".migrated";

    /// <summary>The side file a migration writes into <paramref name="liteDbPath"/>'s folder.</summary>
    public static string SideFile(string liteDbPath) =>
        Path.Combine(Path.GetDirectoryName(liteDbPath)!, Path.GetFileNameWithoutExtension(liteDbPath) + "-migrating" + Path.GetExtension(liteDbPath));

    /// <summary>LiteDB's log file beside <paramref name="path"/> (LiteDB 5 names it <c>name-log.ext</c>).</summary>
    public static string LogFile(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    /// <summary>Migrates <paramref name="sqlitePath"/> into <paramref name="liteDbPath"/> when there is something to migrate.</summary>
    public static async Task RunAsync(string sqlitePath, string liteDbPath, ILogger logger, CancellationToken ct)
    {
        if (!File.Exists(sqlitePath))
        {
            return;
        }

        if (File.Exists(liteDbPath))
        {
            // The rename into place happened, the renaming of the old database did not (a crash in between).
            RetireSqlite(sqlitePath);
            LogFinished(logger, sqlitePath);
            return;
        }

        var side = SideFile(liteDbPath);
        if (File.Exists(side) || File.Exists(LogFile(side)))
        {
            LogRestarting(logger, side);
            File.Delete(side);
            File.Delete(LogFile(side));
        }

        LogStarting(logger, sqlitePath, liteDbPath);
        var counts = await CopyAsync(sqlitePath, side, ct);

        // Complete and closed (its log checkpointed into it): one rename makes it the database.
        File.Move(side, liteDbPath);
        RetireSqlite(sqlitePath);
        LogMigrated(logger, counts.Files, counts.Workspace, counts.Retired, sqlitePath, liteDbPath);
    }

    private static async Task<(long Files, long Workspace, long Retired)> CopyAsync(string sqlitePath, string side, CancellationToken ct)
    {
        var source = new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        await using var sqlite = new SqliteConnection(source);
        await sqlite.OpenAsync(ct);
        var tables = await TablesAsync(sqlite, ct);

        long files = 0, workspace = 0, retired = 0;
        using (var db = new LiteDatabase(LiteDbFileMetadataStore.Connection(side)))
        {
            var fileRows = db.GetCollection(LiteDbFileMetadataStore.Files);
            var workspaceRows = db.GetCollection(LiteDbFileMetadataStore.Workspace);
            var retiredRows = db.GetCollection(LiteDbFileMetadataStore.Retired);

            files = await CopyTableAsync(sqlite,
                "SELECT chat_id, file_hash, filename, size, content_type, remaining_downloads, expires_at, created_at FROM files",
                r => LiteDbFileMetadataStore.ToDocument(new FileRecord(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetInt64(5),
                    r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)))),
                fileRows, ct);

            if (tables.Contains("workspace_files"))
            {
                workspace = await CopyTableAsync(sqlite, "SELECT chat_id, path, file_hash, expires_at FROM workspace_files",
                    r => LiteDbFileMetadataStore.WorkspaceDocument(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3)),
                    workspaceRows, ct);
            }

            if (tables.Contains("retired_blobs"))
            {
                retired = await CopyTableAsync(sqlite, "SELECT file_hash, retired_at FROM retired_blobs",
                    r => new BsonDocument { ["_id"] = r.GetString(0), ["retired"] = r.GetInt64(1) },
                    retiredRows, ct);
            }

            LiteDbFileMetadataStore.EnsureIndexes(db);

            // Counted back before the copy may become the database.
            if (fileRows.LongCount() != files || workspaceRows.LongCount() != workspace || retiredRows.LongCount() != retired)
            {
                throw new InvalidOperationException(
                    $"Migrating {sqlitePath} to LiteDB copied a different number of rows than it read; the SQLite database is kept and the next start retries.");
            }

            db.Checkpoint();
        }

        return (files, workspace, retired);
    }

    private static async Task<long> CopyTableAsync(
        SqliteConnection sqlite, string sql, Func<SqliteDataReader, BsonDocument> map, ILiteCollection<BsonDocument> target, CancellationToken ct)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var batch = new List<BsonDocument>(Batch);
        long copied = 0;
        while (await reader.ReadAsync(ct))
        {
            batch.Add(map(reader));
            if (batch.Count == Batch)
            {
                copied += target.InsertBulk(batch);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            copied += target.InsertBulk(batch);
        }

        return copied;
    }

    private static async Task<HashSet<string>> TablesAsync(SqliteConnection sqlite, CancellationToken ct)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var names = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static void RetireSqlite(string sqlitePath)
    {
        // The WAL and shared-memory files first: the main file is the one a rollback looks for.
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(sqlitePath + suffix))
            {
                File.Move(sqlitePath + suffix, sqlitePath + MigratedSuffix + suffix, overwrite: true);
            }
        }

        File.Move(sqlitePath, sqlitePath + MigratedSuffix, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migrating the SQLite metadata {SqlitePath} of an earlier release to LiteDB {LiteDbPath}")]
    private static partial void LogStarting(ILogger logger, string sqlitePath, string liteDbPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A metadata migration was cut short before; deleting its partial copy {SideFile} and starting again")]
    private static partial void LogRestarting(ILogger logger, string sideFile);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Migrated {Files} file rows, {Workspace} workspace entries and {Retired} retired hashes from {SqlitePath} to {LiteDbPath}; the SQLite database is kept as *.migrated")]
    private static partial void LogMigrated(ILogger logger, long files, long workspace, long retired, string sqlitePath, string liteDbPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finished a metadata migration a crash interrupted after its copy was complete; {SqlitePath} is kept as *.migrated")]
    private static partial void LogFinished(ILogger logger, string sqlitePath);
}
