using Interpreter.Executor.Agent;

namespace Interpreter.Executor.Execution;

/// <summary>
/// What the user code did. A non-zero <see cref="ExitCode"/> is a result, not an error:
/// -1 timeout, 137 killed (memory limit, or the sandbox died during the run), 128+n other signals.
/// </summary>
public sealed record ExecutionResult(string Stdout, string Stderr, int ExitCode, IReadOnlyList<AgentFileInfo> ChangedFiles);
