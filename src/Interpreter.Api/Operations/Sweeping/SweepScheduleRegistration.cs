using Hangfire;
using Interpreter.Storage;
using Interpreter.Storage.Sweeping;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Operations.Sweeping;

/// <summary>
/// At start-up: (re)registers the recurring storage sweep every APP_FILE_SWEEP_INTERVAL_SECONDS (see
/// <see cref="SweepSchedule"/>) and triggers one sweep now, which clears what a crash left in the temporary folder.
/// Replicas registering the same job id just update it.
/// </summary>
internal sealed partial class SweepScheduleRegistration(
    IRecurringJobManager jobs, IOptions<StorageOptions> options, ILogger<SweepScheduleRegistration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var cron = SweepSchedule.Cron(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds));
        jobs.AddOrUpdate<StorageSweepJob>(StorageSweepJob.RecurringId, job => job.RunAsync(CancellationToken.None), cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        jobs.Trigger(StorageSweepJob.RecurringId);
        LogScheduled(cron);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage sweep scheduled as Hangfire recurring job 'storage-sweep', cron {Cron} (UTC)")]
    private partial void LogScheduled(string cron);
}
