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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _agents.Dispose();

    [Fact]
    public async Task CreateAsync_WorksWithTheServiceAccount_WhenRbacAllowsPods()
    {
        var folder = Folder("COMPUTESANDBOX_TEST_SERVICE_ACCOUNT_DIR");
        var connection = InCluster(folder);
        using var pods = new KubernetesPodsClient(connection);
        var backend = Backend(pods, connection);

        var sandbox = await backend.CreateAsync(Ct);
        await backend.DestroyAsync(sandbox, Ct);

        connection.InCluster.ShouldBeTrue();
        (await pods.GetAsync(sandbox.Name, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_FailsNamingRbac_WhenServiceAccountMayOnlyRead()
    {
        var folder = Folder("COMPUTESANDBOX_TEST_READONLY_SERVICE_ACCOUNT_DIR");
        var connection = InCluster(folder);
        using var pods = new KubernetesPodsClient(connection);
        var backend = Backend(pods, connection);

        var available = await backend.IsAvailableAsync(Ct);
        var error = await Should.ThrowAsync<SandboxStartException>(() => backend.CreateAsync(Ct));

        available.ShouldBeTrue("reading pods is allowed");
        error.Message.ShouldContain("RBAC");
        error.Message.ShouldContain($"namespace '{connection.Namespace}'");
        error.Message.ShouldContain("cannot create resource \"pods\"");
    }

    private static string Folder(string variable)
    {
        var folder = Environment.GetEnvironmentVariable(variable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder) || !KubernetesCluster.Configured,
            $"{variable} and KUBECONFIG are not both set: no service account to test the in-cluster configuration with.");
        return folder!;
    }

    /// <summary>As in a pod: the API server address from the service environment variables, credentials from the folder.</summary>
    private static KubernetesConnection InCluster(string folder)
    {
        var server = KubernetesConfigLoader.LoadKubeconfig(KubernetesCluster.Kubeconfig!, "", "KUBECONFIG").Server;
        var environment = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = server.Host,
            ["KUBERNETES_SERVICE_PORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return KubernetesConfigLoader.Load("", "", environment.GetValueOrDefault, folder);
    }

    private KubernetesSandboxBackend Backend(KubernetesPodsClient pods, KubernetesConnection connection) =>
        new(pods, connection, _agents, new SandboxRun(), Options.Create(new ExecutorOptions
        {
            InstanceName = "it-k8s-sa-" + Guid.NewGuid().ToString("N")[..8],
            Image = TestImage.Name,
            ImagePullPolicy = KubernetesCluster.PullPolicy,
            MemoryLimit = ByteSize.Parse("384Mi"),
            ContainerResources = KubernetesCluster.Resources,
            StartupTimeoutSeconds = 120,
        }), NullLogger<KubernetesSandboxBackend>.Instance);
}
