namespace Interpreter.Executor.CustomTools.Docstrings;

/// <summary>What a tool's docstring says: the prose before any field or section, each parameter's text, the return's text.</summary>
internal sealed record Docstring(string Summary, IReadOnlyDictionary<string, string> Parameters, string? Returns)
{
    public static Docstring Empty { get; } = new("", new Dictionary<string, string>(), null);
}
