using Interpreter.Storage.Metadata;
using Interpreter.Storage.Tests.Infrastructure;

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

    protected override SqlFileMetadataStore OpenAgain() =>
        new SqliteFileMetadataStore(Path.Combine(_folder.Path, ".internal", "metadata.db"), Clock);
}
