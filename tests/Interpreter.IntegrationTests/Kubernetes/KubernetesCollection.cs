namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>Every test that drives the real cluster runs in this one collection, one after another.</summary>
[CollectionDefinition(Name)]
public sealed class KubernetesCollection : ICollectionFixture<KubernetesFixture>
{
    public const string Name = "kubernetes";
}
