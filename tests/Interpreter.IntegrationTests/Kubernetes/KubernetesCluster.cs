using Interpreter.Executor.Kubernetes;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using k8s.Models;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>
/// The real cluster the Kubernetes tests run against: the one KUBECONFIG points to. Without KUBECONFIG the
/// tests are skipped. COMPUTESANDBOX_TEST_NAMESPACE (default <c>default</c>) and
/// COMPUTESANDBOX_TEST_IMAGE_PULL_POLICY (default <c>IfNotPresent</c>) adapt it to a cluster.
/// </summary>
internal static class KubernetesCluster
{
    public const string SkipReason = "KUBECONFIG is not set: the Kubernetes backend tests need a real cluster (see README, Tests).";

    public static string? Kubeconfig =>
        Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list
            ? list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0]
            : null;

    public static bool Configured => Kubeconfig is not null;

    public static string Namespace =>
        Environment.GetEnvironmentVariable("COMPUTESANDBOX_TEST_NAMESPACE") is { Length: > 0 } ns ? ns : "default";

    public static string PullPolicy =>
        Environment.GetEnvironmentVariable("COMPUTESANDBOX_TEST_IMAGE_PULL_POLICY") is { Length: > 0 } policy ? policy : "IfNotPresent";

    /// <summary>
    /// Small requests: without them a request equals the limit (1 CPU), and a 2-core test node fits only two
    /// sandboxes, so a pool and a test's own pod would wait for each other.
    /// </summary>
    public const string Resources = """{"requests":{"cpu":"100m","memory":"128Mi"}}""";

    /// <summary>Settings that make a <see cref="SandboxApiFactory"/> run its pool on the cluster.</summary>
    public static Dictionary<string, string> Settings(Dictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["App:EXECUTOR_BACKEND"] = "kubernetes",
            ["App:KUBECONFIG"] = Kubeconfig ?? "",
            ["App:KUBERNETES_NAMESPACE"] = Namespace,
            ["App:EXECUTOR_IMAGE_PULL_POLICY"] = PullPolicy,
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2",
            ["App:EXECUTOR_MAX_SANDBOXES"] = "8",
            ["App:EXECUTOR_STARTUP_TIMEOUT"] = "120",
            ["App:EXECUTOR_CONTAINER_RESOURCES"] = Resources,
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A client of the test namespace's pods, as the service sees them.</summary>
    public static KubernetesPods Pods() =>
        new(KubernetesTargetLoader.LoadKubeconfig(Kubeconfig!, Namespace, "KUBECONFIG"));

    /// <summary>Pods labelled with <paramref name="instance"/>, deleting or not.</summary>
    public static Task<IReadOnlyList<V1Pod>> PodsOfAsync(KubernetesPods pods, string instance, CancellationToken ct) =>
        pods.ListAsync($"{SandboxLabels.Instance}={instance}", ct);
}
