using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The pod calls the sandbox backend makes, through KubernetesClient, in one namespace: create, get, list by label
/// selector, watch one pod, delete. Only the stable <c>v1</c> pod API, so any cluster from 1.20 works. An error
/// status comes back as <see cref="KubernetesApiException"/> with the server's Status reason and message.
/// </summary>
internal sealed class KubernetesPods : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly IKubernetes _client;

    /// <summary>Pods of <paramref name="target"/>'s namespace.</summary>
    public KubernetesPods(KubernetesTarget target)
    {
        Target = target;
        _client = new k8s.Kubernetes(target.Configuration);
    }

    /// <summary>Where the calls go.</summary>
    public KubernetesTarget Target { get; }

    /// <summary>The namespace every call works in.</summary>
    public string Namespace => Target.Namespace;

    /// <summary>Creates the pod in <paramref name="manifest"/>.</summary>
    public Task<V1Pod> CreateAsync(JsonObject manifest, CancellationToken ct) =>
        CallAsync("POST", CallTimeout, token => _client.CoreV1.CreateNamespacedPodAsync(
            KubernetesJson.Deserialize<V1Pod>(manifest.ToJsonString()), Namespace, cancellationToken: token), ct);

    /// <summary>The pod, or null when there is none of that name.</summary>
    public async Task<V1Pod?> GetAsync(string name, CancellationToken ct)
    {
        try
        {
            return await CallAsync("GET", CallTimeout, token => _client.CoreV1.ReadNamespacedPodAsync(name, Namespace, cancellationToken: token), ct);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Pods matching <paramref name="labelSelector"/> (e.g. <c>a=b,c=d</c>).</summary>
    public async Task<IReadOnlyList<V1Pod>> ListAsync(string labelSelector, CancellationToken ct)
    {
        // The ...WithHttpMessagesAsync form: the short one adds watch=false, which a 1.20 server does not need.
        using var list = await CallAsync("GET", TimeSpan.FromSeconds(60),
            token => _client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Namespace, labelSelector: labelSelector, cancellationToken: token), ct);
        return [.. list.Body.Items ?? []];
    }

    /// <summary>
    /// Changes of one pod after <paramref name="resourceVersion"/>, as they happen, until the server ends the stream
    /// (at the latest after <paramref name="timeout"/>) or the connection drops. An ERROR event (410 Gone when the
    /// version expired) ends the watch as a <see cref="KubernetesApiException"/>.
    /// </summary>
    public async IAsyncEnumerable<(WatchEventType Type, V1Pod Pod)> WatchAsync(
        string name, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        Exception? failed = null;
        var events = _client.CoreV1.WatchListNamespacedPodAsync(
            Namespace, allowWatchBookmarks: false, fieldSelector: "metadata.name=" + name, resourceVersion: resourceVersion,
            timeoutSeconds: seconds, onError: e => failed ??= e, cancellationToken: ct);
        await using var changes = events.GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await changes.MoveNextAsync();
            }
            catch (HttpOperationException e)
            {
                throw Translate(e);
            }

            ThrowIfFailed(failed);
            if (!more)
            {
                yield break;
            }

            yield return changes.Current;
        }
    }

    /// <summary>Deletes the pod at once; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        try
        {
            // Sandboxes are single-use and hold nothing worth a graceful stop.
            await CallAsync("DELETE", CallTimeout,
                token => _client.CoreV1.DeleteNamespacedPodAsync(name, Namespace, gracePeriodSeconds: 0, cancellationToken: token), ct);
            return true;
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>True when the API server answers a namespaced pod list of one (it answers, and we may read pods).</summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            using var list = await CallAsync("GET", TimeSpan.FromSeconds(5),
                token => _client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Namespace, limit: 1, cancellationToken: token), ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static void ThrowIfFailed(Exception? failed)
    {
        switch (failed)
        {
            case null:
                return;
            case KubernetesException { Status: { } status }:
                throw new KubernetesApiException((HttpStatusCode)(status.Code ?? 500), status.Reason,
                    $"Kubernetes watch error: {status.Message}");
            default:
                throw new IOException("The Kubernetes watch stream broke: " + failed.Message, failed);
        }
    }

    private async Task<T> CallAsync<T>(string method, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return await call(cts.Token);
        }
        catch (HttpOperationException e)
        {
            throw Translate(e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The Kubernetes API ({Target.Server}) did not answer {method} within {timeout.TotalSeconds} s.", e);
        }
    }

    private static KubernetesApiException Translate(HttpOperationException e)
    {
        var status = e.Response?.StatusCode ?? HttpStatusCode.InternalServerError;
        var text = e.Response?.Content ?? "";
        V1Status? body = null;
        try
        {
            body = text.Length > 0 ? KubernetesJson.Deserialize<V1Status>(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var message = body?.Message is { Length: > 0 } m ? m : text.Length > 300 ? text[..300] : text;
        return new KubernetesApiException(status, body?.Reason,
            $"Kubernetes API answered {(int)status} {body?.Reason ?? e.Response?.ReasonPhrase}: {message}");
    }
}
