using System.Text.Json.Nodes;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The pod operations of the Kubernetes API the sandbox backend needs, in one namespace: create, get, list by
/// label selector, watch one pod, delete. Only the stable <c>v1</c> pod API, so any cluster from 1.20 works.
/// </summary>
public interface IKubernetesPods
{
    /// <summary>The namespace every call works in.</summary>
    string Namespace { get; }

    /// <summary>Creates the pod in <paramref name="manifest"/>; throws <see cref="KubernetesApiException"/> on an error status.</summary>
    Task<Pod> CreateAsync(JsonObject manifest, CancellationToken ct);

    /// <summary>The pod, or null when there is none of that name.</summary>
    Task<Pod?> GetAsync(string name, CancellationToken ct);

    /// <summary>Pods matching <paramref name="labelSelector"/> (e.g. <c>a=b,c=d</c>).</summary>
    Task<IReadOnlyList<Pod>> ListAsync(string labelSelector, CancellationToken ct);

    /// <summary>
    /// Changes of one pod after <paramref name="resourceVersion"/>, as they happen, until the server ends the
    /// stream (at the latest after <paramref name="timeout"/>) or the connection drops.
    /// </summary>
    IAsyncEnumerable<PodWatchEvent> WatchAsync(string name, string resourceVersion, TimeSpan timeout, CancellationToken ct);

    /// <summary>Deletes the pod at once; false when it was already gone.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken ct);

    /// <summary>True when the API server answers.</summary>
    Task<bool> PingAsync(CancellationToken ct);
}
