using Interpreter.Executor.Kubernetes;
using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The shared API with its pool on the real cluster, or nothing (tests skip) when KUBECONFIG is unset.</summary>
public sealed class KubernetesFixture : IAsyncLifetime
{
    private SandboxApiFactory? _api;
    private HttpClient? _client;
    private KubernetesPods? _pods;

    public SandboxApiFactory Api => Require(_api);

    public HttpClient Client => Require(_client);

    internal KubernetesPods Pods => Require(_pods);

    public async ValueTask InitializeAsync()
    {
        if (!KubernetesCluster.Configured)
        {
            return;
        }

        _pods = KubernetesCluster.Pods();
        if (!await _pods.PingAsync(CancellationToken.None))
        {
            throw new InvalidOperationException(
                $"KUBECONFIG is set but the cluster does not answer a pod list in namespace '{KubernetesCluster.Namespace}'; unset KUBECONFIG to skip these tests.");
        }

        _api = new SandboxApiFactory(KubernetesCluster.Settings());
        _client = await _api.StartAsync(ready: 2, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _pods?.Dispose();
    }

    private static T Require<T>(T? value) where T : class
    {
        Assert.SkipUnless(KubernetesCluster.Configured, KubernetesCluster.SkipReason);
        return value!;
    }
}
