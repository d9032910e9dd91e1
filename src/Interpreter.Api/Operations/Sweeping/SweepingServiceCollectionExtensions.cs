using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Sweeping;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Interpreter.Api.Operations.Sweeping;

/// <summary>
/// Hangfire for the storage sweeper: in-memory job storage beside the embedded LiteDB store (one process per storage
/// folder), PostgreSQL job storage beside PostgreSQL metadata, so that of several replicas sharing the database only
/// one runs each sweep. One worker, on the storage queue only.
/// </summary>
internal static class SweepingServiceCollectionExtensions
{
    /// <summary>Registers Hangfire, its server and the recurring storage sweep. Call after AddFileStorage.</summary>
    public static IServiceCollection AddStorageSweeping(this IServiceCollection services)
    {
        // The job storage is this host's own (not Hangfire's global JobStorage.Current), so hosts in one process
        // (tests) never run each other's sweeps; the server, the recurring-job manager and the dashboard all use it.
        services.AddSingleton<JobStorage>(sp =>
        {
            // Hangfire's global settings (serializer, log provider) are this host's before its storage logs anything.
            sp.GetRequiredService<IGlobalConfiguration>();
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.UsesLiteDb)
            {
                return new InMemoryStorage();
            }

            var connectionString = PostgresConnectionString.Normalize(storage.MetadataDatabaseUrl);
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = SchemaFor(connectionString),
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(1),
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        });
        services.AddHangfire((sp, hangfire) => hangfire
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            // Zeros included: a sweep that removed nothing says so on the dashboard (the default leaves them out).
            .UseRecommendedSerializerSettings(json => json.DefaultValueHandling = Newtonsoft.Json.DefaultValueHandling.Include));
        services.AddHangfireServer((sp, server) =>
        {
            var interval = sp.GetRequiredService<IOptions<StorageOptions>>().Value.SweepIntervalSeconds;
            server.Queues = [StorageSweepJob.Queue];
            server.WorkerCount = 1;
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            server.SchedulePollingInterval = TimeSpan.FromSeconds(Math.Clamp(interval, 1, 15));
        });
        services.AddHostedService<SweepScheduleRegistration>();
        return services;
    }

    /// <summary>
    /// Hangfire's schema: <c>hangfire</c>, or <c>&lt;first search-path schema&gt;_hangfire</c> when the connection string
    /// names a search path (so a deployment, or a test, that keeps its metadata in its own schema keeps its jobs there too).
    /// </summary>
    internal static string SchemaFor(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).SearchPath?.Split(',')[0].Trim() is { Length: > 0 } schema
            ? schema + "_hangfire"
            : "hangfire";
}
