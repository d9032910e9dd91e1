namespace Interpreter.Executor.Kubernetes;

/// <summary>The few fields of a Kubernetes pod the sandbox backend reads.</summary>
public sealed record Pod(PodMetadata Metadata, PodStatus? Status);
