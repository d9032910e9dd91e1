namespace Interpreter.Executor.Kubernetes;

/// <summary>The API's own pod, named in each sandbox pod's owner references so the cluster removes them with it.</summary>
internal sealed record OwnerPod(string Name, string Uid);
