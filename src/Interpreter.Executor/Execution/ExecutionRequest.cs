namespace Interpreter.Executor.Execution;

/// <summary>One run of user code: source, environment and wall-clock timeout, plus files in and out.</summary>
public sealed record ExecutionRequest(string SourceCode, IReadOnlyDictionary<string, string> Env, TimeSpan Timeout)
{
    /// <summary>
    /// Time on top of <see cref="Timeout"/> for placing the inputs and collecting the outputs. Streaming 1 GiB
    /// in or out of a sandbox over its unix socket takes seconds (hashing and an fsync included, more on a busy
    /// machine), so half a minute leaves room for a full workspace both ways without holding a stalled sandbox long.
    /// </summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(30);

    /// <summary>Files placed under /workspace before the code runs.</summary>
    public IReadOnlyList<ExecutionInputFile> InputFiles { get; init; } = [];

    /// <summary>Receives every file the run created or changed; null when the caller does not want them.</summary>
    public IOutputFileSink? Outputs { get; init; }

    /// <summary>Largest changed file handed to <see cref="Outputs"/> (APP_FILE_SIZE_LIMIT); larger ones are left out.</summary>
    public long MaxOutputFileBytes { get; init; } = long.MaxValue;

    /// <summary>Most bytes handed to <see cref="Outputs"/> in total (APP_WORKSPACE_SIZE_LIMIT); files past it are left out.</summary>
    public long MaxOutputTotalBytes { get; init; } = long.MaxValue;

    /// <summary>
    /// The sandbox is held at most <see cref="Timeout"/> plus this, from the moment it is leased: every call to its
    /// agent ends by then, files not yet collected are left out, and the sandbox is given back.
    /// </summary>
    public TimeSpan Grace { get; init; } = DefaultGrace;
}
