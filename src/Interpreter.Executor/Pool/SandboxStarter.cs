using System.Globalization;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Pool;

/// <summary>
/// Starts one sandbox: the backend creates it, then this waits until its agent answers (one wait for every
/// backend), then the backend seals it. A sandbox whose agent never answers is destroyed before the error returns.
/// </summary>
public sealed partial class SandboxStarter(
    ISandboxBackend backend, AgentConnector agents, IOptions<ExecutorOptions> options, ILogger<SandboxStarter> logger)
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);
    private readonly ExecutorOptions _options = options.Value;

    /// <summary>A started sandbox whose agent answered.</summary>
    public async Task<SandboxInstance> StartAsync(CancellationToken ct)
    {
        var sandbox = await backend.CreateAsync(ct);
        try
        {
            await WaitForAgentAsync(sandbox, ct);
            await backend.OnAgentReadyAsync(sandbox, ct);
            return sandbox with { ReadyAt = DateTimeOffset.UtcNow };
        }
        catch
        {
            try
            {
                using var cleanup = new CancellationTokenSource(CleanupTimeout);
                await backend.DestroyAsync(sandbox, cleanup.Token);
            }
            catch (Exception e)
            {
                // The pool's sweeps (by label) remove what could not be removed here.
                LogCleanupFailed(e, sandbox.Name);
            }

            throw;
        }
    }

    private async Task WaitForAgentAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.StartupTimeout);
        var client = agents.For(sandbox.Agent);
        var socket = sandbox.Agent.UnixSocketPath;
        var delay = TimeSpan.FromMilliseconds(10);
        try
        {
            while (true)
            {
                // A unix-socket agent binds only after its heavy imports, so the file appearing means nearly ready.
                if ((socket is null || File.Exists(socket)) && await client.IsHealthyAsync(TimeSpan.FromSeconds(2), deadline.Token))
                {
                    return;
                }

                if (delay >= TimeSpan.FromMilliseconds(80)
                    && await backend.DescribeFailureAsync(sandbox, deadline.Token) is { } why)
                {
                    // Slow start: the sandbox died (bad image, crash); say so instead of waiting it out.
                    throw new SandboxStartException(
                        $"Sandbox {sandbox.Name} failed during start-up: {why}; check APP_EXECUTOR_IMAGE '{_options.Image}'.");
                }

                await Task.Delay(delay, deadline.Token);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, socket is null ? 500 : 100));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new SandboxStartException(
                $"Sandbox agent of {sandbox.Name} at {sandbox.Agent.BaseAddress} did not answer within "
                + $"{_options.StartupTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s (APP_EXECUTOR_STARTUP_TIMEOUT)"
                + (socket is null ? "; check that a network policy lets the API reach executor pods on APP_EXECUTOR_AGENT_PORT." : "."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove sandbox {SandboxName} after a failed start")]
    private partial void LogCleanupFailed(Exception exception, string sandboxName);
}
