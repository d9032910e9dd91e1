namespace Interpreter.Executor.Kubernetes;

/// <summary>One container's status: its current and its previous state.</summary>
public sealed record PodContainerStatus(string Name, bool Ready, PodContainerState? State, PodContainerState? LastState);
