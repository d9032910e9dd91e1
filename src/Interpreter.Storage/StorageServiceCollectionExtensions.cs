using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Sweeping;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>Registers file storage.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds blobs, the metadata store APP_METADATA_BACKEND names, the sweeper and the readiness probe.</summary>
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
            return options.MetadataBackend == "postgres"
                ? new PostgresFileMetadataStore(PostgresConnectionString.Normalize(options.MetadataDatabaseUrl), time)
                : new SqliteFileMetadataStore(
                    options.MetadataDatabaseUrl is { Length: > 0 } path ? path : sp.GetRequiredService<StorageLayout>().DefaultMetadataDatabase,
                    time);
        });
        services.AddSingleton<FileStore>();
        services.AddSingleton<StorageSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageSweeper>());
        services.AddSingleton<StorageProbe>();
        return services;
    }
}
