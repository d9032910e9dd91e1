using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Sweeping;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>Registers file storage.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds blobs, the metadata store APP_METADATA_BACKEND names (opened at start-up), the sweeper (run as a
    /// recurring Hangfire job by the host, see <see cref="StorageSweepJob"/>) and the readiness probe.
    /// </summary>
    public static IServiceCollection AddFileStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton(sp => new StorageLayout(sp.GetRequiredService<IOptions<StorageOptions>>().Value.FileStoragePath));
        services.AddSingleton<BlobLeases>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<IFileMetadataStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            if (!options.UsesLiteDb)
            {
                return new PostgresFileMetadataStore(PostgresConnectionString.Normalize(options.MetadataDatabaseUrl), time);
            }

            var layout = sp.GetRequiredService<StorageLayout>();
            var (liteDb, sqlite) = (options.MetadataBackend, options.MetadataDatabaseUrl) switch
            {
                ("sqlite", { Length: > 0 } old) => (Path.ChangeExtension(old, ".litedb"), old),
                (_, { Length: > 0 } path) => (path, layout.LegacySqliteDatabase),
                _ => (layout.DefaultMetadataDatabase, layout.LegacySqliteDatabase),
            };
            return new LiteDbFileMetadataStore(liteDb, time, options.MetadataOwnerWait, sqlite,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<LiteDbFileMetadataStore>());
        });
        services.AddHostedService<MetadataStartup>();
        services.AddSingleton<FileStore>();
        services.AddSingleton<StorageSweeper>();
        services.AddTransient<StorageSweepJob>();
        services.AddSingleton<StorageProbe>();
        return services;
    }
}
