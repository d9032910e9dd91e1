namespace Interpreter.Executor.Execution;

/// <summary>An input file could not be placed in the sandbox; the code did not run.</summary>
public sealed class ExecutionInputException(string path, bool workspaceFull, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The workspace path that failed.</summary>
    public string Path { get; } = path;

    /// <summary>True when the inputs do not fit in the sandbox's /workspace (APP_WORKSPACE_SIZE_LIMIT).</summary>
    public bool WorkspaceFull { get; } = workspaceFull;

    /// <summary>
    /// True when the agent answered and refused the path (e.g. a file where a folder of another input must go):
    /// caused by the request, so another try fails the same way. False when the sandbox failed.
    /// </summary>
    public bool Refused { get; init; }
}
