namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Load and crash tests saturate the machine on purpose: they run after the parallel collections, one after
/// another, with nothing beside them (a neighbour's slowness would turn into their 503s, theirs into its timeouts).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "reliability";
}
