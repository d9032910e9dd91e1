namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>Every test that drives the Docker engine runs in this one collection, one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}
