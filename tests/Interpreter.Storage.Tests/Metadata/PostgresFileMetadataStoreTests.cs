using Interpreter.Storage.Metadata;
using Interpreter.Storage.Tests.Infrastructure;
using Npgsql;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>The metadata contract against a real PostgreSQL server, one schema per test.</summary>
public sealed class PostgresFileMetadataStoreTests : FileMetadataStoreContract
{
    private string? _connectionString;
    private string? _schema;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(_schema);
        }
    }

    protected override async Task<SqlFileMetadataStore> CreateStoreAsync()
    {
        (_connectionString, _schema) = await TestPostgres.CreateSchemaAsync(Ct);
        return OpenAgain();
    }

    protected override SqlFileMetadataStore OpenAgain() => new PostgresFileMetadataStore(_connectionString!, Clock);

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
