using Interpreter.Storage.Metadata;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>The metadata contract against the embedded SQLite store.</summary>
public sealed class SqliteFileMetadataStoreTests : FileMetadataStoreContract
{
    private readonly TempFolder _folder = new();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    protected override Task<SqlFileMetadataStore> CreateStoreAsync() => Task.FromResult(OpenAgain());

    protected override SqlFileMetadataStore OpenAgain() => new SqliteFileMetadataStore(DatabasePath, Clock);

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private string DatabasePath => Path.Combine(_folder.Path, ".internal", "metadata.db");
}
