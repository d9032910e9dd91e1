namespace Interpreter.Executor.Docker;

/// <summary>One row of <c>GET /containers/json</c>.</summary>
public sealed record ContainerSummary(string Id, IReadOnlyList<string> Names, string State, IReadOnlyDictionary<string, string>? Labels);
