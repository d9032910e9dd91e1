namespace Interpreter.Executor.Docker;

/// <summary>The parts of <c>GET /containers/{id}/json</c> the backend reads.</summary>
public sealed record ContainerInspect(string Id, string Name, ContainerState State);
