using System.Data.Common;
using Npgsql;

namespace Interpreter.Storage.Metadata;

/// <summary>
/// Metadata in PostgreSQL, for several replicas sharing one storage folder (e.g. a ReadWriteMany volume).
/// The schema is created under an advisory lock, so replicas starting together do not race on it.
/// </summary>
public sealed class PostgresFileMetadataStore : SqlFileMetadataStore
{
    // Any constant works; it only has to be the same for every replica.
    private const long SchemaLockKey = 0x636f6d7075746573;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>A store reached with <paramref name="connectionString"/> (Npgsql keyword form).</summary>
    public PostgresFileMetadataStore(string connectionString, TimeProvider time)
        : base(time)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct);

    /// <inheritdoc />
    protected override async Task CreateSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = Command(connection, $"""
            SELECT pg_advisory_xact_lock({SchemaLockKey});
            CREATE TABLE IF NOT EXISTS files (
                chat_id text NOT NULL,
                file_hash text NOT NULL,
                filename text NOT NULL,
                size bigint NOT NULL,
                content_type text NOT NULL,
                remaining_downloads bigint,
                expires_at timestamptz,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (chat_id, file_hash, filename)
            );
            CREATE INDEX IF NOT EXISTS files_by_hash ON files (file_hash);
            CREATE INDEX IF NOT EXISTS files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS workspace_files (
                chat_id text NOT NULL,
                path text NOT NULL,
                file_hash text NOT NULL,
                expires_at timestamptz,
                PRIMARY KEY (chat_id, path)
            );
            CREATE INDEX IF NOT EXISTS workspace_files_by_hash ON workspace_files (file_hash);
            CREATE TABLE IF NOT EXISTS retired_blobs (
                file_hash text NOT NULL PRIMARY KEY,
                retired_at timestamptz NOT NULL
            );
            """);
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task<int> DeleteAndRetireAsync(DbConnection connection, object now, CancellationToken ct)
    {
        // One statement: the rows deleted are exactly the rows whose hashes are recorded, whatever other replicas do.
        await using var command = Command(connection, """
            WITH gone AS (
                DELETE FROM files WHERE remaining_downloads = 0 OR expires_at <= @now RETURNING file_hash
            ), gone_workspace AS (
                DELETE FROM workspace_files WHERE expires_at <= @now RETURNING file_hash
            ), retired AS (
                INSERT INTO retired_blobs (file_hash, retired_at)
                SELECT DISTINCT file_hash, @now FROM (SELECT file_hash FROM gone UNION SELECT file_hash FROM gone_workspace) AS h
                ON CONFLICT (file_hash) DO NOTHING
            )
            SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM gone_workspace)
            """);
        Add(command, "now", now);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    protected override object ToDb(DateTimeOffset value) => value.ToUniversalTime();

    /// <inheritdoc />
    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);
}
