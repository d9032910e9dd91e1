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
        var (backend, starter, instance) = Backend(o => o.Image = "localhost/computesandbox-no-such-image:missing");

        var error = await Should.ThrowAsync<SandboxStartException>(() => starter.StartAsync(Ct));

        error.Message.ShouldContain("cannot start its container");
        error.Message.ShouldContain("localhost/computesandbox-no-such-image:missing");
        await Eventually.TrueAsync(async () => (await KubernetesCluster.PodsOfAsync(pods, instance, Ct)).Count == 0,
            TimeSpan.FromSeconds(30), $"no pods labelled {SandboxLabels.Instance}={instance}", Ct);
    }

    [Fact]
    public async Task CreateAsync_ReturnsAReachableAgent_AndDestroyRemovesThePod()
    {
        var pods = fixture.Pods;
        var (backend, starter, instance) = Backend();

        var sandbox = await starter.StartAsync(Ct);
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

    [Fact]
    public async Task Agent_RefusesAnotherSandbox_WhenItReachesThePodOverThePodNetwork()
    {
        Assert.SkipUnless(KubernetesCluster.Configured, KubernetesCluster.SkipReason);
        var (backend, starter, _) = Backend();
        var victim = await starter.StartAsync(Ct);
        var attacker = await starter.StartAsync(Ct);
        try
        {
            // Where NetworkPolicy is enforced the connection fails; where it is not (this kit's bridge), the agent's
            // token is what refuses it. Either way the other sandbox's code never runs.
            var code = $$"""
                import http.client
                try:
                    c = http.client.HTTPConnection("{{victim.Agent.BaseAddress.Host}}", {{victim.Agent.BaseAddress.Port}}, timeout=5)
                    c.request("POST", "/execute", body='{"source_code": "print(1)"}', headers={"Content-Type": "application/json"})
                    print("answered", c.getresponse().status)
                except OSError as e:
                    print("unreachable", type(e).__name__)
                """;

            var result = await _agents.For(attacker.Agent).ExecuteAsync(
                new AgentExecuteRequest(code, new Dictionary<string, string>(), 20), TimeSpan.FromSeconds(60), Ct);

            TestContext.Current.TestOutputHelper?.WriteLine($"the other sandbox's attempt: {result.Stdout.Trim()}");
            result.ExitCode.ShouldBe(0, result.Stderr);
            result.Stdout.ShouldBeOneOf("answered 401\n", "unreachable TimeoutError\n", "unreachable ConnectionRefusedError\n");
        }
        finally
        {
            await backend.DestroyAsync(attacker, Ct);
            await backend.DestroyAsync(victim, Ct);
        }
    }

    private (KubernetesSandboxBackend Backend, SandboxStarter Starter, string Instance) Backend(Action<ExecutorOptions>? configure = null)
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
        var backend = new KubernetesSandboxBackend(fixture.Pods, new SandboxRun(), Options.Create(options),
            NullLogger<KubernetesSandboxBackend>.Instance);
        // The pool's start: the backend's create, then the one wait for the agent.
        var starter = new SandboxStarter(backend, _agents, Options.Create(options), NullLogger<SandboxStarter>.Instance);
        return (backend, starter, options.InstanceName);
    }
}
