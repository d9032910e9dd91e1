using System.Diagnostics.Metrics;
using Interpreter.Executor.Pool;

namespace Interpreter.Executor;

/// <summary>The executor's instruments on the <c>ComputeSandbox.Executor</c> meter.</summary>
public sealed class ExecutorMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "ComputeSandbox.Executor";

    private readonly Meter _meter;
    private readonly Histogram<double> _acquireSeconds;
    private readonly Histogram<double> _startSeconds;
    private readonly Histogram<double> _executionSeconds;
    private readonly Counter<long> _spawnFailures;
    private readonly Counter<long> _acquireTimeouts;
    private int _observing;

    /// <summary>Creates the instruments.</summary>
    public ExecutorMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _acquireSeconds = _meter.CreateHistogram<double>("computesandbox.pool.acquire.duration", "s",
            "Time a request waited for a ready sandbox.");
        _startSeconds = _meter.CreateHistogram<double>("computesandbox.sandbox.start.duration", "s",
            "Time from creating a sandbox until its agent answered.");
        _executionSeconds = _meter.CreateHistogram<double>("computesandbox.execution.duration", "s",
            "Time of one execution in its sandbox, files included.");
        _spawnFailures = _meter.CreateCounter<long>("computesandbox.sandbox.spawn.failures", null,
            "Sandboxes that failed to start.");
        _acquireTimeouts = _meter.CreateCounter<long>("computesandbox.pool.acquire.timeouts", null,
            "Requests that got no sandbox within the acquire timeout.");
    }

    /// <summary>Publishes the pool's counts as gauges; only the first call counts.</summary>
    public void ObservePool(Func<PoolSnapshot> snapshot)
    {
        if (Interlocked.Exchange(ref _observing, 1) == 1)
        {
            return;
        }

        _meter.CreateObservableGauge("computesandbox.pool.ready", () => snapshot().Ready, null, "Started sandboxes waiting for a request.");
        _meter.CreateObservableGauge("computesandbox.pool.starting", () => snapshot().Starting, null, "Sandboxes being started.");
        _meter.CreateObservableGauge("computesandbox.pool.in_use", () => snapshot().InUse, null, "Sandboxes running a request.");
        _meter.CreateObservableGauge("computesandbox.pool.live", () => snapshot().Live, null, "Sandboxes that exist, in any state.");
    }

    internal void Acquired(TimeSpan waited) => _acquireSeconds.Record(waited.TotalSeconds);

    internal void Started(TimeSpan took) => _startSeconds.Record(took.TotalSeconds);

    internal void Executed(TimeSpan took, string outcome) =>
        _executionSeconds.Record(took.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    internal void SpawnFailed() => _spawnFailures.Add(1);

    internal void AcquireTimedOut() => _acquireTimeouts.Add(1);
}
