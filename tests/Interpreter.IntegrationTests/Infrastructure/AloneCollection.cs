namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>Tests that measure this process (its memory) run after all others, with nothing beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
