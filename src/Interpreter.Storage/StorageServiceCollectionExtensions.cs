using Microsoft.Extensions.DependencyInjection;

namespace Interpreter.Storage;

/// <summary>Registers file storage.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds storage options and the readiness probe.</summary>
    public static IServiceCollection AddFileStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => Path.IsPathRooted(o.FileStoragePath), "APP_FILE_STORAGE_PATH must be an absolute path.")
            .ValidateOnStart();
        services.AddSingleton<StorageProbe>();
        return services;
    }
}
