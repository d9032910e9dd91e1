namespace Interpreter.Executor.Kubernetes;

/// <summary>Pod metadata: identity, version for watches, labels, owners, and whether deletion has begun.</summary>
public sealed record PodMetadata(
    string Name,
    string? Uid,
    string? ResourceVersion,
    IReadOnlyDictionary<string, string>? Labels,
    DateTimeOffset? DeletionTimestamp,
    IReadOnlyList<PodOwnerReference>? OwnerReferences = null);
