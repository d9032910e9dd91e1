using System.Data.Common;

namespace Interpreter.Storage.Metadata;

/// <summary>
/// The SQL both backends share (ADO.NET over the same schema). Every change a client can race on is one
/// statement: an upsert, or a conditional <c>UPDATE ... RETURNING</c>, never a read followed by a write.
/// </summary>
public abstract class SqlFileMetadataStore(TimeProvider time) : IFileMetadataStore, IAsyncDisposable
{
    private const string Columns =
        "chat_id, file_hash, filename, size, content_type, remaining_downloads, expires_at, created_at";

    private const string Live =
        "(remaining_downloads IS NULL OR remaining_downloads > 0) AND (expires_at IS NULL OR expires_at > @now)";

    private const int ReferenceBatch = 500;

    private readonly SemaphoreSlim _initializing = new(1, 1);
    private volatile bool _initialized;

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken ct)
    {
        if (_initialized)
        {
            return;
        }

        await _initializing.WaitAsync(ct);
        try
        {
            if (!_initialized)
            {
                await using var connection = await OpenConnectionAsync(ct);
                await CreateSchemaAsync(connection, ct);
                _initialized = true;
            }
        }
        finally
        {
            _initializing.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var command = Command(connection, "SELECT 1");
            return await command.ExecuteScalarAsync(ct) is not null;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<FileRecord> RegisterAsync(FileRecord file, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"""
            INSERT INTO files ({Columns})
            VALUES (@chat, @hash, @name, @size, @type, @remaining, @expires, @created)
            ON CONFLICT (chat_id, file_hash, filename) DO UPDATE SET
                size = excluded.size,
                content_type = excluded.content_type,
                remaining_downloads = excluded.remaining_downloads,
                expires_at = excluded.expires_at
            RETURNING {Columns}
            """);
        AddKey(command, file.Key);
        Add(command, "size", file.Size);
        Add(command, "type", file.ContentType);
        Add(command, "remaining", file.RemainingDownloads);
        Add(command, "expires", file.ExpiresAt is { } expires ? ToDb(expires) : null);
        Add(command, "created", ToDb(file.CreatedAt));
        return await SingleAsync(command, ct) ?? throw new InvalidOperationException("The upsert returned no row.");
    }

    /// <inheritdoc />
    public async Task<FileRecord?> FindLiveAsync(string chatId, string hash, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"""
            SELECT {Columns} FROM files
            WHERE chat_id = @chat AND file_hash = @hash AND {Live}
            ORDER BY created_at DESC
            LIMIT 1
            """);
        Add(command, "chat", chatId);
        Add(command, "hash", hash);
        AddNow(command);
        return await SingleAsync(command, ct);
    }

    /// <inheritdoc />
    public async Task<bool> IsRegisteredAsync(string hash, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT 1 FROM files WHERE file_hash = @hash LIMIT 1");
        Add(command, "hash", hash);
        return await command.ExecuteScalarAsync(ct) is not null and not DBNull;
    }

    /// <inheritdoc />
    public async Task<bool> WasEverNamedAsync(string hash, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, """
            SELECT 1 FROM files WHERE file_hash = @hash
            UNION ALL SELECT 1 FROM workspace_files WHERE file_hash = @hash
            UNION ALL SELECT 1 FROM retired_blobs WHERE file_hash = @hash
            LIMIT 1
            """);
        Add(command, "hash", hash);
        return await command.ExecuteScalarAsync(ct) is not null and not DBNull;
    }

    /// <inheritdoc />
    public async Task<FileRecord?> ConsumeDownloadAsync(FileKey key, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"""
            UPDATE files SET remaining_downloads = remaining_downloads - 1
            WHERE chat_id = @chat AND file_hash = @hash AND filename = @name AND {Live}
            RETURNING {Columns}
            """);
        AddKey(command, key);
        AddNow(command);
        return await SingleAsync(command, ct);
    }

    /// <inheritdoc />
    public async Task<bool> ExpireAsync(FileKey key, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"""
            UPDATE files SET expires_at = @now
            WHERE chat_id = @chat AND file_hash = @hash AND filename = @name AND {Live}
            """);
        AddKey(command, key);
        AddNow(command);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <inheritdoc />
    public async Task<ChatUsage> GetChatUsageAsync(FileKey key, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"""
            SELECT COALESCE(SUM(size), 0), COUNT(*) FROM files
            WHERE chat_id = @chat AND NOT (file_hash = @hash AND filename = @name) AND {Live}
            """);
        AddKey(command, key);
        AddNow(command);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new ChatUsage(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1));
    }

    /// <inheritdoc />
    public async Task<long> GetStoredBytesAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, """
            SELECT COALESCE(SUM(size), 0) FROM (SELECT MAX(size) AS size FROM files GROUP BY file_hash) AS blobs
            """);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetWorkspaceAsync(string chatId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, """
            SELECT path, file_hash FROM workspace_files
            WHERE chat_id = @chat AND (expires_at IS NULL OR expires_at > @now)
            """);
        Add(command, "chat", chatId);
        AddNow(command);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            files[reader.GetString(0)] = reader.GetString(1);
        }

        return files;
    }

    /// <inheritdoc />
    public async Task SaveWorkspaceAsync(
        string chatId, IReadOnlyDictionary<string, string> files, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var delete = Command(connection, "DELETE FROM workspace_files WHERE chat_id = @chat"))
        {
            delete.Transaction = transaction;
            Add(delete, "chat", chatId);
            await delete.ExecuteNonQueryAsync(ct);
        }

        foreach (var (path, hash) in files)
        {
            await using var insert = Command(connection, """
                INSERT INTO workspace_files (chat_id, path, file_hash, expires_at) VALUES (@chat, @path, @hash, @expires)
                """);
            insert.Transaction = transaction;
            Add(insert, "chat", chatId);
            Add(insert, "path", path);
            Add(insert, "hash", hash);
            Add(insert, "expires", expiresAt is { } expires ? ToDb(expires) : null);
            await insert.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await DeleteAndRetireAsync(connection, ToDb(time.GetUtcNow()), ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListRetiredAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, "SELECT file_hash FROM retired_blobs");
        var hashes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }

    /// <inheritdoc />
    public async Task ForgetRetiredAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        if (hashes.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(ct);
        foreach (var batch in hashes.Chunk(ReferenceBatch))
        {
            var names = string.Join(", ", batch.Select((_, i) => "@h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await using var command = Command(connection, $"DELETE FROM retired_blobs WHERE file_hash IN ({names})");
            for (var i = 0; i < batch.Length; i++)
            {
                Add(command, "h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), batch[i]);
            }

            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindReferencedAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        if (hashes.Count == 0)
        {
            return referenced;
        }

        await using var connection = await OpenAsync(ct);
        foreach (var batch in hashes.Chunk(ReferenceBatch))
        {
            var names = string.Join(", ", batch.Select((_, i) => "@h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await using var command = Command(connection, $"""
                SELECT file_hash FROM files WHERE file_hash IN ({names})
                UNION
                SELECT file_hash FROM workspace_files WHERE file_hash IN ({names})
                """);
            for (var i = 0; i < batch.Length; i++)
            {
                Add(command, "h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), batch[i]);
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                referenced.Add(reader.GetString(0));
            }
        }

        return referenced;
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        _initializing.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens a new (pooled) connection; the schema may not exist yet.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    /// <summary>Creates the tables and indexes if missing.</summary>
    protected abstract Task CreateSchemaAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// Deletes file rows that are exhausted or expired at <paramref name="now"/> and workspace entries expired then,
    /// recording each of their hashes in <c>retired_blobs</c> atomically with the deletion (no row can leave without
    /// its hash being recorded); returns how many file rows and workspace entries went.
    /// </summary>
    protected abstract Task<int> DeleteAndRetireAsync(DbConnection connection, object now, CancellationToken ct);

    /// <summary>The database's representation of a point in time.</summary>
    protected abstract object ToDb(DateTimeOffset value);

    /// <summary>Reads a point in time written by <see cref="ToDb"/>.</summary>
    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>A command on <paramref name="connection"/>.</summary>
    protected static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        await InitializeAsync(ct);
        return await OpenConnectionAsync(ct);
    }

    private void AddNow(DbCommand command) => Add(command, "now", ToDb(time.GetUtcNow()));

    private static void AddKey(DbCommand command, FileKey key)
    {
        Add(command, "chat", key.ChatId);
        Add(command, "hash", key.Hash);
        Add(command, "name", key.Filename);
    }

    /// <summary>Adds the parameter <paramref name="name"/>.</summary>
    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private async Task<FileRecord?> SingleAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var record = new FileRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt64(3),
            reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5),
            reader.IsDBNull(6) ? null : ReadTime(reader, 6),
            ReadTime(reader, 7));

        // Drain the rest so the statement completes (RETURNING rows are produced as the update runs).
        while (await reader.ReadAsync(ct))
        {
        }

        return record;
    }
}
