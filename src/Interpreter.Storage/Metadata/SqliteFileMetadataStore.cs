using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Interpreter.Storage.Metadata;

/// <summary>
/// Metadata in an embedded SQLite database (WAL journal, so readers never wait for the writer), the default
/// for one replica. Times are stored as Unix milliseconds (UTC).
/// </summary>
public sealed class SqliteFileMetadataStore : SqlFileMetadataStore
{
    private readonly string _connectionString;
    private volatile bool _folderCreated;

    /// <summary>A store in the database file <paramref name="databasePath"/> (created with its folder if missing).</summary>
    public SqliteFileMetadataStore(string databasePath, TimeProvider time)
        : base(time)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        // Pooled connections keep the file (and its WAL) open; let go of this store's, not other stores'.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        if (!_folderCreated)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            _folderCreated = true;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async Task CreateSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = Command(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS files (
                chat_id TEXT NOT NULL,
                file_hash TEXT NOT NULL,
                filename TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                remaining_downloads INTEGER,
                expires_at INTEGER,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (chat_id, file_hash, filename)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS files_by_hash ON files (file_hash);
            CREATE INDEX IF NOT EXISTS files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS workspace_files (
                chat_id TEXT NOT NULL,
                path TEXT NOT NULL,
                file_hash TEXT NOT NULL,
                expires_at INTEGER,
                PRIMARY KEY (chat_id, path)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS workspace_files_by_hash ON workspace_files (file_hash);
            CREATE TABLE IF NOT EXISTS retired_blobs (
                file_hash TEXT NOT NULL PRIMARY KEY,
                retired_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task<int> DeleteAndRetireAsync(DbConnection connection, object now, CancellationToken ct)
    {
        // SQLite has no DELETE in a WITH clause; an immediate transaction holds the write lock from the first
        // statement, so no row can become expired or exhausted between the copy of the hashes and the deletion.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var retire = Command(connection, """
            INSERT OR IGNORE INTO retired_blobs (file_hash, retired_at)
                SELECT DISTINCT file_hash, @now FROM files WHERE remaining_downloads = 0 OR expires_at <= @now;
            INSERT OR IGNORE INTO retired_blobs (file_hash, retired_at)
                SELECT DISTINCT file_hash, @now FROM workspace_files WHERE expires_at <= @now;
            """))
        {
            retire.Transaction = transaction;
            Add(retire, "now", now);
            await retire.ExecuteNonQueryAsync(ct);
        }

        int deleted;
        await using (var delete = Command(connection, """
            DELETE FROM files WHERE remaining_downloads = 0 OR expires_at <= @now;
            DELETE FROM workspace_files WHERE expires_at <= @now;
            """))
        {
            delete.Transaction = transaction;
            Add(delete, "now", now);
            deleted = await delete.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return deleted;
    }

    /// <inheritdoc />
    protected override object ToDb(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <inheritdoc />
    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
