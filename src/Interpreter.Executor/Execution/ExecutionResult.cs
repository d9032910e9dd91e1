namespace Interpreter.Executor.Execution;

/// <summary>
/// What the user code did. A non-zero <see cref="ExitCode"/> is a result, not an error:
/// -1 timeout, 137 killed (memory limit, or the sandbox died during the run), 128+n other signals.
/// <see cref="ChangedFiles"/> is what the sandbox listed; the sink got only those within the output bounds.
/// </summary>
public sealed record ExecutionResult(string Stdout, string Stderr, int ExitCode, IReadOnlyList<OutputFile> ChangedFiles)
{
    /// <summary>Input paths that are no regular file after the run (deleted, or now a folder or a link).</summary>
    public IReadOnlyList<string> DeletedFiles { get; init; } = [];
}
