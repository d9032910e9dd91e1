using k8s;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The cluster the service works in: KubernetesClient's configuration (address, credentials, CA) plus what the
/// backend needs beside it: the namespace, whether it runs in a pod and that pod's name (for owner references).
/// </summary>
internal sealed record KubernetesTarget(
    KubernetesClientConfiguration Configuration,
    string Namespace,
    bool InCluster,
    string? OwnPodName,
    string Source)
{
    /// <summary>The API server, e.g. <c>https://10.0.0.1:443/</c>.</summary>
    public Uri Server => new(Configuration.Host);
}
