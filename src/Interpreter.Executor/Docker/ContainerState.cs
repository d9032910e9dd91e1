namespace Interpreter.Executor.Docker;

/// <summary>A container's run state.</summary>
public sealed record ContainerState(string Status, bool Running, bool OOMKilled, int ExitCode);
