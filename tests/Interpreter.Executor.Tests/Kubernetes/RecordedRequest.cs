namespace Interpreter.Executor.Tests.Kubernetes;

/// <summary>One request the fake API server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? Body, string? Authorization)
{
    public bool IsWatch => Query.Contains("watch=true", StringComparison.Ordinal);
}
