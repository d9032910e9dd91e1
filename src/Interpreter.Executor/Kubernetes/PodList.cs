namespace Interpreter.Executor.Kubernetes;

/// <summary>The answer of a pod list.</summary>
public sealed record PodList(IReadOnlyList<Pod> Items);
