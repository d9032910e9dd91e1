namespace Interpreter.Executor.Kubernetes;

/// <summary>A pod condition such as <c>Ready</c> with status <c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
public sealed record PodCondition(string Type, string Status, string? Reason, string? Message);
