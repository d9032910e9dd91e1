using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Pool;

/// <summary>
/// Keeps APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH sandboxes started and ready, plus one per waiting request,
/// never more than APP_EXECUTOR_MAX_SANDBOXES alive and never more than APP_EXECUTOR_REFILL_CONCURRENCY
/// starting at once. Every sandbox serves one execution and is destroyed afterwards by a background loop.
/// Leftovers of an earlier run are removed at start-up; everything this run made is removed at shutdown.
/// </summary>
public sealed partial class SandboxPool : BackgroundService, ISandboxPool
{
    private static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DestroyTimeout = TimeSpan.FromSeconds(30);

    // Long enough that a burst's next request takes a sandbox its previous waiter gave up on, short enough that the
    // pool is back at its target (and its memory) soon after the burst.
    private static readonly TimeSpan SurplusGrace = TimeSpan.FromSeconds(10);

    private readonly ISandboxBackend _backend;
    private readonly SandboxStarter _starter;
    private readonly AgentConnector _agents;
    private readonly ExecutorOptions _options;
    private readonly ExecutorMetrics _metrics;
    private readonly ILogger<SandboxPool> _logger;
    private readonly Channel<SandboxInstance> _ready = Channel.CreateUnbounded<SandboxInstance>();
    private readonly Channel<SandboxInstance> _retired = Channel.CreateUnbounded<SandboxInstance>();
    private readonly ConcurrentDictionary<string, SandboxInstance> _live = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stopLock = new();
    private Task _retireLoop = Task.CompletedTask;
    private Task? _stopping;
    private int _readyCount;
    private int _starting;
    private int _inUse;
    private int _waiting;
    private int _consecutiveFailures;
    private long _nextAttemptTicks;

    /// <summary>Creates the pool; it starts filling when the host starts it.</summary>
    public SandboxPool(
        ISandboxBackend backend,
        SandboxStarter starter,
        AgentConnector agents,
        IOptions<ExecutorOptions> options,
        ExecutorMetrics metrics,
        ILogger<SandboxPool> logger)
    {
        _backend = backend;
        _starter = starter;
        _agents = agents;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.ObservePool(() => Snapshot);
    }

    /// <inheritdoc />
    public PoolSnapshot Snapshot => new(
        Volatile.Read(ref _readyCount),
        Volatile.Read(ref _starting),
        Volatile.Read(ref _inUse),
        _live.Count,
        Volatile.Read(ref _waiting));

    /// <summary>Completes once leftovers of an earlier run have been removed and filling has begun.</summary>
    public Task Started => _started.Task;

    /// <inheritdoc />
    public async Task<SandboxLease> AcquireAsync(CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        var waiting = true;
        Wake();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.AcquireTimeout);
            while (true)
            {
                SandboxInstance sandbox;
                try
                {
                    sandbox = await _ready.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    _metrics.AcquireTimedOut();
                    throw new PoolExhaustedException(_options.AcquireTimeout, RetryAfter());
                }
                catch (ChannelClosedException)
                {
                    throw new PoolExhaustedException(Stopwatch.GetElapsedTime(startedAt), RetryAfter());
                }

                Interlocked.Decrement(ref _readyCount);
                // Holding a sandbox, the request no longer asks for one: while it is health-checked the refill
                // must not start a spare that would stay ready beyond the target.
                Interlocked.Decrement(ref _waiting);
                waiting = false;
                if (await IsUsableAsync(sandbox, ct))
                {
                    Interlocked.Increment(ref _inUse);
                    _metrics.Acquired(Stopwatch.GetElapsedTime(startedAt));
                    return new SandboxLease(sandbox, _agents.For(sandbox.Agent), Release);
                }

                LogDiscarded(sandbox.Name);
                Interlocked.Increment(ref _waiting);
                waiting = true;
                Retire(sandbox);
            }
        }
        finally
        {
            if (waiting)
            {
                Interlocked.Decrement(ref _waiting);
            }

            Wake();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _retireLoop = Task.Run(RetireLoopAsync, CancellationToken.None);
        await RemoveLeftoversAsync(stoppingToken);
        _started.TrySetResult();

        while (!stoppingToken.IsCancellationRequested)
        {
            Refill(stoppingToken);
            EvictIdle();
            TrimSurplus();
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // Many wake-ups collapse into one pass.
            while (_wake.CurrentCount > 0 && _wake.Wait(0))
            {
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>A host may stop its services more than once, even concurrently: every caller awaits the one stop.</remarks>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopping ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _ready.Writer.TryComplete();

        // Starts in flight finish (or fail) on their own; their sandboxes are caught by the sweeps below.
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        shutdown.CancelAfter(TimeSpan.FromSeconds(20));
        while (Volatile.Read(ref _starting) > 0 && !shutdown.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        _retired.Writer.TryComplete();
        await _retireLoop;

        var remaining = _live.Values.ToList();
        await Parallel.ForEachAsync(remaining, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (sandbox, _) => await DestroyAsync(sandbox));
        try
        {
            var swept = await _backend.RemoveOwnAsync(shutdown.Token);
            LogStopped(remaining.Count, swept);
        }
        catch (Exception e) when (e is not OperationCanceledException || shutdown.IsCancellationRequested)
        {
            LogSweepFailed(e);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private async Task RemoveLeftoversAsync(CancellationToken ct)
    {
        try
        {
            var removed = await _backend.RemoveLeftoversAsync(ct);
            if (removed > 0)
            {
                LogLeftoversRemoved(removed);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The backend may come up later; the pool keeps trying to fill and /readyz says it is not ready.
            LogSweepFailed(e);
        }
    }

    private void Refill(CancellationToken stoppingToken)
    {
        while (true)
        {
            var supply = Volatile.Read(ref _readyCount) + Volatile.Read(ref _starting);
            var demand = _options.PoolTargetLength + Volatile.Read(ref _waiting);
            if (supply >= demand
                || Volatile.Read(ref _starting) >= _options.RefillConcurrency
                || _live.Count + Volatile.Read(ref _starting) >= _options.MaxSandboxes
                || Environment.TickCount64 < Interlocked.Read(ref _nextAttemptTicks))
            {
                return;
            }

            Interlocked.Increment(ref _starting);
            _ = Task.Run(() => StartOneAsync(stoppingToken), CancellationToken.None);
        }
    }

    private async Task StartOneAsync(CancellationToken stoppingToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var sandbox = await _starter.StartAsync(stoppingToken);
            _live[sandbox.Id] = sandbox;
            Interlocked.Exchange(ref _consecutiveFailures, 0);
            _metrics.Started(Stopwatch.GetElapsedTime(startedAt));
            Interlocked.Increment(ref _readyCount);
            if (!_ready.Writer.TryWrite(sandbox))
            {
                // Shutting down: the pool no longer hands anything out.
                Interlocked.Decrement(ref _readyCount);
                Retire(sandbox);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            var failures = Interlocked.Increment(ref _consecutiveFailures);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, 100 * Math.Pow(2, Math.Min(failures, 10))));
            Interlocked.Exchange(ref _nextAttemptTicks, Environment.TickCount64 + (long)backoff.TotalMilliseconds);
            _metrics.SpawnFailed();
            LogSpawnFailed(e, failures, backoff.TotalMilliseconds);
        }
        finally
        {
            Interlocked.Decrement(ref _starting);
            Wake();
        }
    }

    private async Task<bool> IsUsableAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        if (DateTimeOffset.UtcNow - sandbox.ReadyAt > _options.MaxIdle)
        {
            return false;
        }

        try
        {
            return await _agents.For(sandbox.Agent).IsHealthyAsync(HealthCheckTimeout, ct);
        }
        catch
        {
            // The caller gave up while we checked: the sandbox must not be lost.
            Retire(sandbox);
            throw;
        }
    }

    private void EvictIdle() => RetireIdle(_options.MaxIdle, () => true, LogIdleReplaced);

    /// <summary>
    /// A burst starts one sandbox per waiting request; requests that gave up (503) or were served by another leave
    /// more ready than the target when it ends. Those beyond the target are removed once idle for
    /// <see cref="SurplusGrace"/>, oldest first; otherwise they would hold memory until the max idle age.
    /// </summary>
    private void TrimSurplus() => RetireIdle(
        SurplusGrace,
        () => Volatile.Read(ref _readyCount) > _options.PoolTargetLength + Volatile.Read(ref _waiting),
        LogSurplusRemoved);

    /// <summary>Retires ready sandboxes, oldest first, that have been ready longer than <paramref name="idleFor"/>, while <paramref name="wanted"/>.</summary>
    private void RetireIdle(TimeSpan idleFor, Func<bool> wanted, Action<string> log)
    {
        while (wanted() && _ready.Reader.TryPeek(out var oldest) && DateTimeOffset.UtcNow - oldest.ReadyAt > idleFor)
        {
            if (!_ready.Reader.TryRead(out var sandbox))
            {
                return;
            }

            Interlocked.Decrement(ref _readyCount);
            if (DateTimeOffset.UtcNow - sandbox.ReadyAt > idleFor)
            {
                log(sandbox.Name);
                Retire(sandbox);
                continue;
            }

            // A request took the old one between peek and read; keep this fresher one.
            Interlocked.Increment(ref _readyCount);
            _ready.Writer.TryWrite(sandbox);
            return;
        }
    }

    private void Release(SandboxInstance sandbox)
    {
        Interlocked.Decrement(ref _inUse);
        Retire(sandbox);
    }

    private void Retire(SandboxInstance sandbox)
    {
        if (!_retired.Writer.TryWrite(sandbox))
        {
            // Shutting down: StopAsync destroys everything still in _live.
            LogRetireAfterStop(sandbox.Name);
        }

        Wake();
    }

    private async Task RetireLoopAsync()
    {
        await Parallel.ForEachAsync(_retired.Reader.ReadAllAsync(CancellationToken.None),
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            async (sandbox, _) => await DestroyAsync(sandbox));
    }

    private async Task DestroyAsync(SandboxInstance sandbox)
    {
        if (!_live.ContainsKey(sandbox.Id))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(DestroyTimeout);
            await _backend.DestroyAsync(sandbox, timeout.Token);
            _live.TryRemove(sandbox.Id, out _);
        }
        catch (Exception e)
        {
            // Kept in _live so the shutdown pass (and the label sweep) tries again.
            LogDestroyFailed(e, sandbox.Name);
        }
        finally
        {
            Wake();
        }
    }

    private TimeSpan RetryAfter() =>
        TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(_options.AcquireTimeoutSeconds / 10), 1, 30));

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} sandboxes left by an earlier run")]
    private partial void LogLeftoversRemoved(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sweep sandboxes")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting a sandbox failed ({Failures} in a row); next try in {BackoffMs} ms")]
    private partial void LogSpawnFailed(Exception exception, int failures, double backoffMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {SandboxName} failed its hand-out health check; discarded")]
    private partial void LogDiscarded(string sandboxName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox {SandboxName} idle too long; replaced")]
    private partial void LogIdleReplaced(string sandboxName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox {SandboxName} beyond the pool target and idle; removed")]
    private partial void LogSurplusRemoved(string sandboxName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not destroy sandbox {SandboxName}")]
    private partial void LogDestroyFailed(Exception exception, string sandboxName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandbox {SandboxName} returned after stop; the shutdown sweep removes it")]
    private partial void LogRetireAfterStop(string sandboxName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool stopped: destroyed {Destroyed} sandboxes, swept {Swept} more")]
    private partial void LogStopped(int destroyed, int swept);
}
