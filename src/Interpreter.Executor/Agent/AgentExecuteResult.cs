namespace Interpreter.Executor.Agent;

/// <summary>What the agent reports about one run of user code.</summary>
public sealed record AgentExecuteResult
{
    /// <summary>Captured standard output, capped.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>Captured standard error, capped.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Exit status: -1 timeout, 137 memory limit, 128+n other signals.</summary>
    public int ExitCode { get; init; }

    /// <summary>The run hit its timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The run was killed for exceeding the memory limit.</summary>
    public bool OomKilled { get; init; }

    /// <summary>stdout went over the cap.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>stderr went over the cap.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>Wall-clock time of the run inside the sandbox.</summary>
    public double DurationMs { get; init; }

    /// <summary>Files under /workspace created or changed by the run.</summary>
    public IReadOnlyList<AgentFileInfo> Files { get; init; } = [];

    /// <summary>More files changed than the agent reports.</summary>
    public bool FilesTruncated { get; init; }

    /// <summary>
    /// Paths that were regular files before the run (the inputs) and are none after it: deleted, or replaced by a
    /// folder or a link. Empty from an agent that does not report them.
    /// </summary>
    public IReadOnlyList<string> FilesDeleted { get; init; } = [];
}
