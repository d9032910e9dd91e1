using Microsoft.Extensions.DependencyInjection;

namespace Interpreter.Executor.CustomTools;

/// <summary>Registers the custom-tool parser and runner (the runner needs <see cref="ExecutorServiceCollectionExtensions.AddExecutor"/>).</summary>
public static class CustomToolsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="ICustomToolParser"/> and <see cref="ICustomToolRunner"/>.</summary>
    public static IServiceCollection AddCustomTools(this IServiceCollection services)
    {
        services.AddSingleton<IPythonSyntaxCheck, ProcessPythonSyntaxCheck>();
        services.AddSingleton<ICustomToolParser, CustomToolParser>();
        services.AddSingleton<ICustomToolRunner, CustomToolRunner>();
        return services;
    }
}
