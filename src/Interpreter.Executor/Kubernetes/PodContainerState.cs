namespace Interpreter.Executor.Kubernetes;

/// <summary>A container state; at most one of the three is set.</summary>
public sealed record PodContainerState(
    ContainerStateDetail? Waiting,
    ContainerStateDetail? Running,
    ContainerStateDetail? Terminated);
