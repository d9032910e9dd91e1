using Hangfire;
using Microsoft.Extensions.Logging;

namespace Interpreter.Storage.Sweeping;

/// <summary>
/// The storage sweep as a Hangfire job (recurring id <see cref="RecurringId"/>). Hangfire's storage (in memory
/// beside LiteDB, PostgreSQL beside PostgreSQL) makes one replica run each occurrence, and the distributed lock of
/// <see cref="DisableConcurrentExecutionAttribute"/> keeps a slow sweep from overlapping the next one on any
/// replica. What a sweep removed is its result, shown by the dashboard at /hangfire.
/// </summary>
public sealed partial class StorageSweepJob(StorageSweeper sweeper, TimeProvider time, ILogger<StorageSweepJob> logger)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringId = "storage-sweep";

    /// <summary>Hangfire's queue for storage jobs.</summary>
    public const string Queue = "storage";

    /// <summary>Runs one sweep; a failure is logged and the next occurrence retries (no automatic retry piles up).</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0, LogEvents = false)]
    [Queue(Queue)]
    [JobDisplayName("Storage sweep")]
    public async Task<SweepRun> RunAsync(CancellationToken ct)
    {
        try
        {
            var started = time.GetUtcNow();
            var result = await sweeper.SweepOnceAsync(ct);
            return new SweepRun($"{Environment.MachineName}:{Environment.ProcessId}", started, time.GetUtcNow(),
                result.Rows, result.Blobs, result.TemporaryFiles);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogSweepFailed(e);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage sweep failed; the next one retries")]
    private partial void LogSweepFailed(Exception exception);
}
