namespace Interpreter.Executor.Kubernetes;

/// <summary>No usable cluster configuration was found; the message says which file or setting to fix.</summary>
public sealed class KubernetesConfigException(string message, Exception? inner = null) : Exception(message, inner);
