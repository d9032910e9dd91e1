using System.Diagnostics;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Packages;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.Logging;

namespace Interpreter.Executor.Execution;

/// <summary>
/// Takes a sandbox, streams the input files in, runs the code through its agent, streams the changed files out
/// to the caller's sink and gives the sandbox back for destruction. The agent enforces the timeout itself; a
/// grace period on top catches an agent that stopped answering.
/// </summary>
public sealed partial class CodeExecutor(
    ISandboxPool pool,
    ISandboxBackend backend,
    ExecutorMetrics metrics,
    PackageInstaller packages,
    ILogger<CodeExecutor> logger) : ICodeExecutor
{
    private static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DescribeWait = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken ct)
    {
        await using var lease = await pool.AcquireAsync(ct);
        await PlaceInputsAsync(lease, request.InputFiles, ct);
        // Before the clock of the run starts: installs have a deadline of their own (APP_PACKAGE_INSTALL_TIMEOUT).
        var installNotes = await packages.InstallMissingAsync(lease.Agent, request.SourceCode, ct);
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var result = await lease.Agent.ExecuteAsync(
                new AgentExecuteRequest(request.SourceCode, request.Env, request.Timeout.TotalSeconds),
                request.Timeout + AgentGrace,
                ct);
            metrics.Executed(Stopwatch.GetElapsedTime(startedAt), Outcome(result));
            if (result.FilesTruncated)
            {
                LogFilesTruncated(lease.Sandbox.Name, result.Files.Count);
            }

            var stderr = installNotes.Count == 0 ? result.Stderr : string.Join("\n", installNotes) + "\n" + result.Stderr;
            if (!packages.Enabled && stderr.Contains("ModuleNotFoundError: No module named", StringComparison.Ordinal))
            {
                stderr += (stderr.EndsWith('\n') ? "" : "\n") + PackageInstaller.InstallsOffNote + "\n";
            }

            if (request.Outputs is { } sink && await CollectOutputsAsync(lease, result.Files, sink, ct) is > 0 and var lost)
            {
                stderr += (stderr.Length == 0 || stderr.EndsWith('\n') ? "" : "\n")
                    + (lost == 1
                        ? "1 changed file could not be collected from the sandbox.\n"
                        : $"{lost} changed files could not be collected from the sandbox.\n");
            }

            return new ExecutionResult(result.Stdout, stderr, result.ExitCode, result.Files);
        }
        catch (AgentUnavailableException e)
        {
            var elapsed = Stopwatch.GetElapsedTime(startedAt);
            if (elapsed >= request.Timeout)
            {
                LogSandboxLost(lease.Sandbox.Name, e.Message);
                metrics.Executed(elapsed, "timeout");
                return new ExecutionResult("", $"Execution timed out after {request.Timeout.TotalSeconds:0.###} seconds.\n", -1, []);
            }

            // The agent is the sandbox's PID 1: user code can kill it (e.g. with prlimit), and then the container
            // dies with everything in it. That is a result of the code, like any other kill: 137, saying why.
            var why = await DescribeLossAsync(lease.Sandbox, ct);
            LogSandboxLost(lease.Sandbox.Name, why ?? e.Message);
            metrics.Executed(elapsed, "sandbox_lost");
            if (why is not null && why.Contains("memory", StringComparison.Ordinal))
            {
                return new ExecutionResult("", $"Killed: {why}.\n", 137, []);
            }

            return new ExecutionResult("",
                $"Killed: the sandbox died during the execution ({why ?? "its agent closed the connection"}); the run's output and files are lost.\n",
                137, []);
        }
    }

    /// <summary>
    /// Asks the backend why the sandbox is gone, waiting briefly: the agent's connection closes a moment before
    /// the engine records that the container stopped.
    /// </summary>
    private async Task<string?> DescribeLossAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)DescribeWait.TotalSeconds;
        while (true)
        {
            var why = await DescribeAsync(sandbox, ct);
            if (why is not null || Stopwatch.GetTimestamp() >= deadline)
            {
                return why;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    private async Task PlaceInputsAsync(SandboxLease lease, IReadOnlyList<ExecutionInputFile> inputs, CancellationToken ct)
    {
        foreach (var input in inputs)
        {
            try
            {
                await using var content = input.Open();
                await lease.Agent.PutFileAsync(input.Path, content, input.Size, ct);
            }
            catch (AgentUnavailableException e)
            {
                var full = e.InnerException is HttpRequestException { StatusCode: System.Net.HttpStatusCode.InsufficientStorage };
                LogInputFailed(e, lease.Sandbox.Name, input.Size);
                throw new ExecutionInputException(input.Path, full, full
                    ? $"The input file {input.Path} does not fit in the sandbox's /workspace (APP_WORKSPACE_SIZE_LIMIT)."
                    : $"The sandbox did not take the input file {input.Path}: {e.Message}", e);
            }
        }
    }

    /// <summary>Streams every listed file to the sink; returns how many could not be collected.</summary>
    private async Task<int> CollectOutputsAsync(
        SandboxLease lease, IReadOnlyList<AgentFileInfo> files, IOutputFileSink sink, CancellationToken ct)
    {
        var lost = 0;
        foreach (var file in files)
        {
            Stream content;
            try
            {
                content = await lease.Agent.OpenFileAsync(file.Path, ct);
            }
            catch (AgentUnavailableException e)
            {
                // Gone since the agent listed it (or the sandbox died meanwhile): the others still count.
                LogOutputFailed(e, lease.Sandbox.Name, file.Size);
                lost++;
                continue;
            }

            await using (content)
            {
                try
                {
                    await sink.AcceptAsync(file, content, ct);
                }
                catch (HttpIOException e)
                {
                    // The sandbox broke off while sending; what the sink failed to take is left out.
                    LogOutputFailed(e, lease.Sandbox.Name, file.Size);
                    lost++;
                }
            }
        }

        return lost;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} did not take an input file of {Size} bytes")]
    private partial void LogInputFailed(Exception exception, string sandboxName, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} did not send a changed file of {Size} bytes; it is left out")]
    private partial void LogOutputFailed(Exception exception, string sandboxName, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} changed more files than the agent reports; the first {Count} are kept")]
    private partial void LogFilesTruncated(string sandboxName, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} was lost during an execution: {Reason}")]
    private partial void LogSandboxLost(string sandboxName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the backend about sandbox {SandboxName}")]
    private partial void LogDescribeFailed(Exception exception, string sandboxName);
}
