namespace Interpreter.Executor.Kubernetes;

/// <summary>The API server's <c>Status</c> object, sent with failed requests and watch errors.</summary>
public sealed record KubernetesStatus(int Code, string? Reason, string? Message);
