namespace Interpreter.Executor.Kubernetes;

/// <summary>Pod status: phase, address, conditions (Ready) and container states.</summary>
public sealed record PodStatus(
    string? Phase,
    string? PodIP,
    string? Reason,
    string? Message,
    IReadOnlyList<PodCondition>? Conditions,
    IReadOnlyList<PodContainerStatus>? ContainerStatuses);
