using Interpreter.Storage.Metadata;
using Interpreter.Storage.Tests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>The metadata contract against a real PostgreSQL server (a Testcontainers container), one schema per test.</summary>
public sealed class PostgresFileMetadataStoreTests : FileMetadataStoreContract
{
    private string? _connectionString;
    private string? _schema;

    [Fact]
    public async Task Store_AddsTheRetiredTableAndKeepsTheRows_WhenTheDatabaseHasTheSchemaOfBefore()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 1), Ct);
        await ExecuteRawAsync("DROP TABLE retired_blobs");

        var upgraded = await ReopenAsync();
        var kept = await upgraded.FindLiveAsync("c1", HashA, Ct);
        await upgraded.ConsumeDownloadAsync(file.Key, Ct);
        await upgraded.DeleteExpiredAsync(Ct);

        kept.ShouldBe(file);
        (await upgraded.WasEverNamedAsync(HashA, Ct)).ShouldBeTrue();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(_schema);
        }
    }

    private protected override async Task<IFileMetadataStore> CreateStoreAsync()
    {
        (_connectionString, _schema) = await TestPostgres.CreateSchemaAsync(Ct);
        return OpenAgain();
    }

    private protected override IFileMetadataStore OpenAgain() => new PostgresFileMetadataStore(_connectionString!, Clock);

    private async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
