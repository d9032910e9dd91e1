using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Errors;
using Interpreter.Api.Features.Execute;
using Interpreter.Executor;
using Interpreter.Executor.CustomTools;
using Interpreter.Executor.Packages;
using Interpreter.Storage;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features;

/// <summary>
/// The endpoints (FastEndpoints, one folder per action, found by scanning) and the services below them. Validators are
/// found by scanning too: FastEndpoints runs them for HTTP, the gRPC service gets them from the container.
/// </summary>
internal static class FeatureServiceExtensions
{
    public static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddFastEndpoints();
        // The gRPC service's validators: each host's own, over its settings. Only the interface is registered, so
        // FastEndpoints (which keeps one validator per process) makes its own, reading the settings per request.
        foreach (var validator in AssemblyScanner.FindValidatorsInAssembly(typeof(ExecutionService).Assembly, includeInternalTypes: true))
        {
            services.AddSingleton(validator.InterfaceType, validator.ValidatorType);
        }

        services.AddExecutor();
        services.AddFileStorage();
        // Wheels fetched for on-the-fly installs are cached by content beside the files.
        services.AddOptions<PackageOptions>().Configure<IOptions<StorageOptions>>((packages, storage) =>
            packages.CacheDirectory = Path.Combine(storage.Value.FileStoragePath, ".internal", "wheels"));
        services.AddSingleton<ExecutionService>();
        services.AddCustomTools();
        return services;
    }

    public static IApplicationBuilder UseFeatures(this IApplicationBuilder app) =>
        app.UseFastEndpoints(c =>
        {
            ErrorServiceExtensions.Wire(c.Serializer.Options);
            c.Errors.ResponseBuilder = ValidationProblems.Build;
            c.Errors.ProducesMetadataType = typeof(HttpValidationProblemDetails);
        });
}
