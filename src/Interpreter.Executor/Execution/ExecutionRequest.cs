namespace Interpreter.Executor.Execution;

/// <summary>One run of user code: source, environment and wall-clock timeout, plus files in and out.</summary>
public sealed record ExecutionRequest(string SourceCode, IReadOnlyDictionary<string, string> Env, TimeSpan Timeout)
{
    /// <summary>Files placed under /workspace before the code runs.</summary>
    public IReadOnlyList<ExecutionInputFile> InputFiles { get; init; } = [];

    /// <summary>Receives every file the run created or changed; null when the caller does not want them.</summary>
    public IOutputFileSink? Outputs { get; init; }
}
