namespace Interpreter.Executor.CustomTools;

/// <summary>
/// The outcome of a custom tool run: the return value as JSON when it <see cref="CustomToolRunStatus.Succeeded"/>,
/// otherwise an stderr-like text (a traceback, or messages naming the invalid fields).
/// </summary>
public sealed record CustomToolRunResult(CustomToolRunStatus Status, string? OutputJson, string? Stderr)
{
    /// <summary>The tool returned <paramref name="outputJson"/>.</summary>
    public static CustomToolRunResult Succeeded(string outputJson) => new(CustomToolRunStatus.Succeeded, outputJson, null);

    /// <summary>The run failed with <paramref name="status"/>; <paramref name="stderr"/> says why.</summary>
    public static CustomToolRunResult Failed(CustomToolRunStatus status, string stderr) => new(status, null, stderr);
}
