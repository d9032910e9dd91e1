using System.Diagnostics;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.Logging;

namespace Interpreter.Executor.Execution;

/// <summary>
/// Takes a sandbox, runs the code through its agent and gives the sandbox back for destruction.
/// The agent enforces the timeout itself; a grace period on top catches an agent that stopped answering.
/// </summary>
public sealed partial class CodeExecutor(
    ISandboxPool pool,
    ISandboxBackend backend,
    ExecutorMetrics metrics,
    ILogger<CodeExecutor> logger) : ICodeExecutor
{
    private static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken ct)
    {
        await using var lease = await pool.AcquireAsync(ct);
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var result = await lease.Agent.ExecuteAsync(
                new AgentExecuteRequest(request.SourceCode, request.Env, request.Timeout.TotalSeconds),
                request.Timeout + AgentGrace,
                ct);
            metrics.Executed(Stopwatch.GetElapsedTime(startedAt), Outcome(result));
            return new ExecutionResult(result.Stdout, result.Stderr, result.ExitCode, result.Files);
        }
        catch (AgentUnavailableException e)
        {
            var elapsed = Stopwatch.GetElapsedTime(startedAt);
            var why = await DescribeAsync(lease.Sandbox, ct);
            LogSandboxLost(lease.Sandbox.Name, why ?? e.Message);
            metrics.Executed(elapsed, "sandbox_lost");
            if (why is not null && why.Contains("memory", StringComparison.Ordinal))
            {
                return new ExecutionResult("", $"Killed: {why}.\n", 137, []);
            }

            if (elapsed >= request.Timeout)
            {
                return new ExecutionResult("", $"Execution timed out after {request.Timeout.TotalSeconds:0.###} seconds.\n", -1, []);
            }

            return new ExecutionResult("", $"The sandbox stopped answering during the execution ({why ?? "its agent closed the connection"}).\n", -1, []);
        }
    }

    private static string Outcome(AgentExecuteResult result) => result switch
    {
        { TimedOut: true } => "timeout",
        { OomKilled: true } => "memory_limit",
        { ExitCode: 0 } => "success",
        _ => "error",
    };

    private async Task<string?> DescribeAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        try
        {
            return await backend.DescribeFailureAsync(sandbox, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDescribeFailed(e, sandbox.Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} was lost during an execution: {Reason}")]
    private partial void LogSandboxLost(string sandboxName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the backend about sandbox {SandboxName}")]
    private partial void LogDescribeFailed(Exception exception, string sandboxName);
}
