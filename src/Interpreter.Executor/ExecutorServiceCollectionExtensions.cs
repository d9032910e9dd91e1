using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Execution;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor;

/// <summary>Registers the executor: options, backend, pool and the code executor.</summary>
public static class ExecutorServiceCollectionExtensions
{
    /// <summary>Adds the executor's services; the pool starts with the host.</summary>
    public static IServiceCollection AddExecutor(this IServiceCollection services)
    {
        services.AddOptions<ExecutorOptions>().BindConfiguration(ExecutorOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExecutorOptions>, ExecutorOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<ExecutorMetrics>();
        services.AddSingleton<SandboxRun>();
        services.AddSingleton<AgentConnector>();
        services.AddSingleton<IDockerEngine>(sp =>
            new DockerEngineClient(sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.DockerHost));
        services.AddSingleton<ISandboxBackend, DockerSandboxBackend>();
        services.AddSingleton<SandboxPool>();
        services.AddSingleton<ISandboxPool>(sp => sp.GetRequiredService<SandboxPool>());
        services.AddHostedService(sp => sp.GetRequiredService<SandboxPool>());
        services.AddSingleton<ICodeExecutor, CodeExecutor>();
        return services;
    }
}
