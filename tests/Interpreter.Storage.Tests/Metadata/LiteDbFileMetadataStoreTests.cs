using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Tests.Infrastructure;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>The metadata contract against the embedded LiteDB store.</summary>
public sealed class LiteDbFileMetadataStoreTests : FileMetadataStoreContract
{
    private readonly TempFolder _folder = new();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    private protected override Task<IFileMetadataStore> CreateStoreAsync() => Task.FromResult(OpenAgain());

    private protected override IFileMetadataStore OpenAgain() =>
        new LiteDbFileMetadataStore(DatabasePath, Clock, TimeSpan.Zero);

    private string DatabasePath => Path.Combine(_folder.Path, ".internal", "metadata.litedb");
}
