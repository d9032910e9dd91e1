namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// No usable cluster configuration was found; the message names the APP_ setting and the file to fix, so start-up
/// reports it as a configuration error (an <see cref="InvalidOperationException"/> naming an APP_ variable).
/// </summary>
internal sealed class KubernetesConfigException(string message, Exception? inner = null)
    : InvalidOperationException("APP_EXECUTOR_BACKEND=kubernetes: " + message, inner);
