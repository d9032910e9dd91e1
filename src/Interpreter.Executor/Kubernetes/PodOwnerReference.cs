namespace Interpreter.Executor.Kubernetes;

/// <summary>An owner reference of a pod: the object whose deletion takes the pod with it.</summary>
public sealed record PodOwnerReference(string Kind, string Name, string Uid);
