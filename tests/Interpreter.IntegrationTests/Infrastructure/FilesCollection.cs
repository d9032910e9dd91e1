namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>Storage tests that need no sandbox share one API; they run beside the Docker collection.</summary>
[CollectionDefinition(Name)]
public sealed class FilesCollection : ICollectionFixture<FilesFixture>
{
    public const string Name = "files";
}
