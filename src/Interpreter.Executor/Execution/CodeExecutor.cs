using System.Diagnostics;
using System.Text;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Packages;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.Logging;

namespace Interpreter.Executor.Execution;

/// <summary>
/// Takes a sandbox, streams the input files in, runs the code through its agent, streams the changed files out
/// to the caller's sink and gives the sandbox back for destruction. The agent enforces the timeout itself; a
/// grace period on top catches an agent that stopped answering. From the lease on, every call to the agent ends
/// by the request's timeout + <see cref="ExecutionRequest.Grace"/>, so a stalled agent cannot hold the sandbox.
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
    private const int LeftOutNamed = 20;

    /// <inheritdoc />
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken ct)
    {
        await using var lease = await pool.AcquireAsync(ct);
        var held = new Deadline(request.Timeout + request.Grace);
        await PlaceInputsAsync(lease, request, held, ct);
        // Installs have a deadline of their own (APP_PACKAGE_INSTALL_TIMEOUT); the run's timeout + grace starts after them.
        var installNotes = await packages.InstallMissingAsync(lease.Agent, request.SourceCode, ct);
        if (packages.Enabled)
        {
            held = new Deadline(request.Timeout + request.Grace);
        }

        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var executeDeadline = request.Timeout + AgentGrace;
            var result = await lease.Agent.ExecuteAsync(
                new AgentExecuteRequest(request.SourceCode, request.Env, request.Timeout.TotalSeconds),
                held.Remaining < executeDeadline ? held.Remaining : executeDeadline,
                ct);
            metrics.Executed(Stopwatch.GetElapsedTime(startedAt), Outcome(result));
            if (result.FilesTruncated)
            {
                LogFilesTruncated(lease.Sandbox.Name, result.Files.Count);
            }

            IReadOnlyList<OutputFile> outputs = [.. result.Files.Select(f => new OutputFile(f.Path, f.Size, f.Sha256))];
            var stderr = installNotes.Count == 0 ? result.Stderr : string.Join("\n", installNotes) + "\n" + result.Stderr;
            if (!packages.Enabled && stderr.Contains("ModuleNotFoundError: No module named", StringComparison.Ordinal))
            {
                stderr += (stderr.EndsWith('\n') ? "" : "\n") + PackageInstaller.InstallsOffNote + "\n";
            }

            if (request.Outputs is { } sink)
            {
                stderr = AppendNotes(stderr, await CollectOutputsAsync(lease, request, outputs, sink, held, ct));
            }

            return new ExecutionResult(result.Stdout, stderr, result.ExitCode, outputs)
            {
                DeletedFiles = result.FilesDeleted,
            };
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

    private static string AppendNotes(string stderr, IReadOnlyList<string> notes)
    {
        if (notes.Count == 0)
        {
            return stderr;
        }

        var text = new StringBuilder(stderr);
        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }

        foreach (var note in notes)
        {
            text.Append(note).Append('\n');
        }

        return text.ToString();
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

    private async Task PlaceInputsAsync(SandboxLease lease, ExecutionRequest request, Deadline held, CancellationToken ct)
    {
        foreach (var input in request.InputFiles)
        {
            try
            {
                await using var content = input.Open();
                await lease.Agent.PutFileAsync(input.Path, content, input.Size, held.Remaining, ct);
            }
            catch (AgentUnavailableException e)
            {
                var status = (e.InnerException as HttpRequestException)?.StatusCode;
                var full = status == System.Net.HttpStatusCode.InsufficientStorage;
                // The agent answered and refused the path (a folder where a file should go, say): the request's
                // doing, not the sandbox's, and another try would fail the same way.
                var refused = status is >= System.Net.HttpStatusCode.BadRequest and < System.Net.HttpStatusCode.InternalServerError;
                LogInputFailed(e, lease.Sandbox.Name, input.Size);
                throw new ExecutionInputException(input.Path, full, full
                    ? $"The input file {input.Path} does not fit in the sandbox's /workspace (APP_WORKSPACE_SIZE_LIMIT)."
                    : refused
                        ? $"The sandbox refused the input file {input.Path}: {e.Message}"
                        : held.Passed
                            ? $"The sandbox did not take the input file {input.Path} within {HeldFor(request)}."
                            : $"The sandbox did not take the input file {input.Path}: {e.Message}", e)
                {
                    Refused = refused,
                };
            }
        }
    }

    /// <summary>
    /// Streams every listed file within the output bounds to the sink, in the agent's (path) order, until the
    /// deadline; returns the stderr notes on what was left out.
    /// </summary>
    private async Task<IReadOnlyList<string>> CollectOutputsAsync(SandboxLease lease, ExecutionRequest request,
        IReadOnlyList<OutputFile> files, IOutputFileSink sink, Deadline held, CancellationToken ct)
    {
        var leftOut = new List<string>();
        var lost = 0;
        var pastDeadline = false;
        long total = 0;
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hold.CancelAfter(held.Remaining);
        foreach (var file in files)
        {
            if (file.Size > request.MaxOutputFileBytes)
            {
                LogOutputLeftOut(lease.Sandbox.Name, file.Size, "over the file size limit");
                leftOut.Add($"{file.Path} was not returned: its {file.Size} bytes are over the file size limit of {request.MaxOutputFileBytes} bytes (APP_FILE_SIZE_LIMIT).");
                continue;
            }

            if (!file.IsHashed || file.Size > request.MaxOutputTotalBytes - total)
            {
                LogOutputLeftOut(lease.Sandbox.Name, file.Size, "over the run's total");
                leftOut.Add($"{file.Path} was not returned: with its {file.Size} bytes the run's files would exceed {request.MaxOutputTotalBytes} bytes in total (APP_WORKSPACE_SIZE_LIMIT).");
                continue;
            }

            if (pastDeadline || held.Passed)
            {
                pastDeadline = true;
                leftOut.Add($"{file.Path} was not returned: collecting the run's files did not finish within {HeldFor(request)}.");
                continue;
            }

            try
            {
                await using var content = await lease.Agent.OpenFileAsync(file.Path, held.Remaining, hold.Token);
                if (content.Length != file.Size)
                {
                    // Changed since the agent listed it: what it would send now is not what was counted.
                    LogOutputLeftOut(lease.Sandbox.Name, file.Size, "changed after it was listed");
                    lost++;
                    continue;
                }

                await sink.AcceptAsync(file, content, hold.Token);
                total += file.Size;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && (hold.IsCancellationRequested || held.Passed)
                && e is AgentUnavailableException or OperationCanceledException or HttpIOException)
            {
                LogOutputFailed(e, lease.Sandbox.Name, file.Size);
                pastDeadline = true;
                leftOut.Add($"{file.Path} was not returned: collecting the run's files did not finish within {HeldFor(request)}.");
            }
            catch (Exception e) when (e is AgentUnavailableException or HttpIOException)
            {
                // Gone since the agent listed it, or the sandbox broke off while sending: the others still count.
                LogOutputFailed(e, lease.Sandbox.Name, file.Size);
                lost++;
            }
        }

        if (pastDeadline)
        {
            LogCollectionDeadline(lease.Sandbox.Name);
        }

        var notes = new List<string>(Math.Min(leftOut.Count, LeftOutNamed + 1) + 1);
        notes.AddRange(leftOut.Take(LeftOutNamed));
        if (leftOut.Count > LeftOutNamed)
        {
            notes.Add($"{leftOut.Count - LeftOutNamed} more changed files were not returned.");
        }

        if (lost > 0)
        {
            notes.Add(lost == 1
                ? "1 changed file could not be collected from the sandbox."
                : $"{lost} changed files could not be collected from the sandbox.");
        }

        return notes;
    }

    private static string HeldFor(ExecutionRequest request) =>
        $"{(request.Timeout + request.Grace).TotalSeconds:0.###} seconds (the timeout plus {request.Grace.TotalSeconds:0.###})";

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName}: a changed file of {Size} bytes is left out: {Reason}")]
    private partial void LogOutputLeftOut(string sandboxName, long size, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} reached its deadline before every changed file was collected; the rest are left out")]
    private partial void LogCollectionDeadline(string sandboxName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} changed more files than the agent reports; the first {Count} are kept")]
    private partial void LogFilesTruncated(string sandboxName, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} was lost during an execution: {Reason}")]
    private partial void LogSandboxLost(string sandboxName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the backend about sandbox {SandboxName}")]
    private partial void LogDescribeFailed(Exception exception, string sandboxName);
}
