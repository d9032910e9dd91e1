namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// One line of a watch stream: <c>ADDED</c>, <c>MODIFIED</c> or <c>DELETED</c> with the pod, <c>BOOKMARK</c>,
/// or <c>ERROR</c> with the API status (410 Gone when the resource version is too old).
/// </summary>
public sealed record PodWatchEvent(string Type, Pod? Pod, KubernetesStatus? Error);
