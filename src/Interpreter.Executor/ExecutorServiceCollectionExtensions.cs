using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Execution;
using Interpreter.Executor.Kubernetes;
using Interpreter.Executor.Packages;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor;

/// <summary>Registers the executor: options, the backend APP_EXECUTOR_BACKEND names, pool and the code executor.</summary>
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
        services.AddSingleton(sp => new DockerEngine(sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.DockerHost));
        services.AddSingleton(sp => new KubernetesPods(KubernetesTargetLoader.Load(sp.GetRequiredService<IOptions<ExecutorOptions>>().Value)));
        services.AddSingleton<DockerSandboxBackend>();
        services.AddSingleton<KubernetesSandboxBackend>();
        // Only the chosen backend is built, so a Docker set-up never looks for a cluster and vice versa.
        services.AddSingleton<ISandboxBackend>(sp =>
            sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.Backend == "kubernetes"
                ? sp.GetRequiredService<KubernetesSandboxBackend>()
                : sp.GetRequiredService<DockerSandboxBackend>());
        services.AddSingleton<SandboxStarter>();
        services.AddSingleton<SandboxPool>();
        services.AddSingleton<ISandboxPool>(sp => sp.GetRequiredService<SandboxPool>());
        services.AddHostedService(sp => sp.GetRequiredService<SandboxPool>());
        services.AddOptions<PackageOptions>().BindConfiguration(PackageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PackageOptions>, PackageOptionsValidator>();
        // No redirects: every byte comes from the index's own origin.
        services.AddSingleton(sp => new PackageIndex(
            new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
            {
                Timeout = TimeSpan.FromMinutes(5),
            },
            sp.GetRequiredService<IOptions<PackageOptions>>()));
        services.AddSingleton<PackageInstaller>();
        services.AddSingleton<ICodeExecutor, CodeExecutor>();
        return services;
    }
}
