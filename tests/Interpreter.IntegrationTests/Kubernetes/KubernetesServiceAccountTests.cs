using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Kubernetes;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>
/// The in-cluster configuration (a service-account folder: token, ca.crt, namespace) against the real API server,
/// with real RBAC. Runs when COMPUTESANDBOX_TEST_SERVICE_ACCOUNT_DIR names the folder of an account allowed to
/// create, get, list, watch and delete pods, and COMPUTESANDBOX_TEST_READONLY_SERVICE_ACCOUNT_DIR one that may
/// only read them; skipped otherwise.
/// </summary>
[Collection(KubernetesCollection.Name)]
public sealed class KubernetesServiceAccountTests : IDisposable
{
    private readonly AgentConnector _agents = new();
    private KubernetesPods? _pods;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _pods?.Dispose();
        _agents.Dispose();
    }

    [Fact]
    public async Task CreateAsync_WorksWithTheServiceAccount_WhenRbacAllowsPods()
    {
        var (connection, pods, backend, starter) = InClusterBackend("COMPUTESANDBOX_TEST_SERVICE_ACCOUNT_DIR");

        var sandbox = await starter.StartAsync(Ct);
        await backend.DestroyAsync(sandbox, Ct);

        connection.InCluster.ShouldBeTrue();
        (await pods.GetAsync(sandbox.Name, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_FailsNamingRbac_WhenServiceAccountMayOnlyRead()
    {
        var (connection, _, backend, starter) = InClusterBackend("COMPUTESANDBOX_TEST_READONLY_SERVICE_ACCOUNT_DIR");

        var available = await backend.IsAvailableAsync(Ct);
        var error = await Should.ThrowAsync<SandboxStartException>(() => starter.StartAsync(Ct));

        available.ShouldBeTrue("reading pods is allowed");
        error.Message.ShouldContain("RBAC");
        error.Message.ShouldContain($"namespace '{connection.Namespace}'");
        error.Message.ShouldContain("cannot create resource \"pods\"");
    }

    /// <summary>
    /// As in a pod: the API server address from the service environment variables, credentials from the
    /// service-account folder that <paramref name="variable"/> names (skipped without it or without a cluster).
    /// </summary>
    private (KubernetesTarget Connection, KubernetesPods Pods, KubernetesSandboxBackend Backend, SandboxStarter Starter) InClusterBackend(
        string variable)
    {
        var folder = Environment.GetEnvironmentVariable(variable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder) || !KubernetesCluster.Configured,
            $"{variable} and KUBECONFIG are not both set: no service account to test the in-cluster configuration with.");
        var server = KubernetesTargetLoader.LoadKubeconfig(KubernetesCluster.Kubeconfig!, "", "KUBECONFIG").Server;
        var environment = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = server.Host,
            ["KUBERNETES_SERVICE_PORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var connection = KubernetesTargetLoader.Load("", "", environment.GetValueOrDefault, folder!);
        _pods = new KubernetesPods(connection);
        var options = Options.Create(new ExecutorOptions
        {
            InstanceName = "it-k8s-sa-" + Guid.NewGuid().ToString("N")[..8],
            Image = TestImage.Name,
            ImagePullPolicy = KubernetesCluster.PullPolicy,
            MemoryLimit = ByteSize.Parse("384Mi"),
            ContainerResources = KubernetesCluster.Resources,
            StartupTimeoutSeconds = 120,
        });
        var backend = new KubernetesSandboxBackend(_pods, new SandboxRun(), options, NullLogger<KubernetesSandboxBackend>.Instance);
        // The pool's start: the backend's create, then the one wait for the agent.
        var starter = new SandboxStarter(backend, _agents, options, NullLogger<SandboxStarter>.Instance);
        return (connection, _pods, backend, starter);
    }
}
