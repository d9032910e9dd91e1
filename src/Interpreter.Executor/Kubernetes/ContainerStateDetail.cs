namespace Interpreter.Executor.Kubernetes;

/// <summary>Why a container waits or ended (e.g. <c>ErrImageNeverPull</c>, <c>OOMKilled</c>), and its exit code.</summary>
public sealed record ContainerStateDetail(string? Reason, string? Message, int? ExitCode);
