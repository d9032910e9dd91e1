namespace Interpreter.Executor.Execution;

/// <summary>One run of user code: source, environment and wall-clock timeout.</summary>
public sealed record ExecutionRequest(string SourceCode, IReadOnlyDictionary<string, string> Env, TimeSpan Timeout);
