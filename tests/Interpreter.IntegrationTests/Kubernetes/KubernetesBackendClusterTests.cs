using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Kubernetes;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The backend itself against the real cluster: what the API server and kubelet really answer.</summary>
[Collection(KubernetesCollection.Name)]
public sealed class KubernetesBackendClusterTests(KubernetesFixture fixture) : IDisposable
{
    private readonly AgentConnector _agents = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _agents.Dispose();

    [Fact]
    public async Task CreateAsync_FailsFastAndDeletesThePod_WhenImageMissing()
    {
        var pods = fixture.Pods;
        var (backend, instance) = Backend(o => o.Image = "localhost/computesandbox-no-such-image:missing");

        var error = await Should.ThrowAsync<SandboxStartException>(() => backend.CreateAsync(Ct));

        error.Message.ShouldContain("cannot start its container");
        error.Message.ShouldContain("localhost/computesandbox-no-such-image:missing");
        await Eventually.TrueAsync(async () => (await KubernetesCluster.PodsOfAsync(pods, instance, Ct)).Count == 0,
            TimeSpan.FromSeconds(30), $"no pods labelled {SandboxLabels.Instance}={instance}", Ct);
    }

    [Fact]
    public async Task CreateAsync_ReturnsAReachableAgent_AndDestroyRemovesThePod()
    {
        var pods = fixture.Pods;
        var (backend, instance) = Backend();

        var sandbox = await backend.CreateAsync(Ct);
        var healthy = await _agents.For(sandbox.Agent).IsHealthyAsync(TimeSpan.FromSeconds(5), Ct);
        var stored = await pods.GetAsync(sandbox.Name, Ct);
        await backend.DestroyAsync(sandbox, Ct);
        var why = await backend.DescribeFailureAsync(sandbox, Ct);

        healthy.ShouldBeTrue();
        sandbox.Agent.BaseAddress.Port.ShouldBe(8000);
        sandbox.Agent.BaseAddress.Host.ShouldBe(stored.ShouldNotBeNull().Status!.PodIP);
        stored.Status!.Conditions!.ShouldContain(c => c.Type == "Ready" && c.Status == "True");
        why.ShouldBe("the sandbox no longer exists");
        (await KubernetesCluster.PodsOfAsync(pods, instance, Ct)).ShouldBeEmpty();
    }

    private (KubernetesSandboxBackend Backend, string Instance) Backend(Action<ExecutorOptions>? configure = null)
    {
        var options = new ExecutorOptions
        {
            InstanceName = "it-k8s-" + Guid.NewGuid().ToString("N")[..8],
            Image = TestImage.Name,
            ImagePullPolicy = KubernetesCluster.PullPolicy,
            MemoryLimit = ByteSize.Parse("384Mi"),
            WorkspaceSizeLimit = ByteSize.Parse("64Mi"),
            StartupTimeoutSeconds = 120,
            ContainerResources = KubernetesCluster.Resources,
        };
        configure?.Invoke(options);
        var connection = KubernetesConfigLoader.LoadKubeconfig(KubernetesCluster.Kubeconfig!, KubernetesCluster.Namespace, "KUBECONFIG");
        var backend = new KubernetesSandboxBackend(fixture.Pods, connection, _agents, new SandboxRun(), Options.Create(options),
            NullLogger<KubernetesSandboxBackend>.Instance);
        return (backend, options.InstanceName);
    }
}
