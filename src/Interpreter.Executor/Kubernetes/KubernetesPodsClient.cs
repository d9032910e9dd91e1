using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// A small typed client of the Kubernetes pod API over HttpClient (the official client is not available here).
/// Errors come back as <see cref="KubernetesApiException"/> carrying the server's Status reason.
/// </summary>
public sealed class KubernetesPodsClient : IKubernetesPods, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly KubernetesConnection _connection;
    private readonly HttpClient _http;
    private readonly string _podsPath;

    /// <summary>A client of the pods in the connection's namespace.</summary>
    public KubernetesPodsClient(KubernetesConnection connection)
    {
        _connection = connection;
        _http = new HttpClient(connection.CreateHandler()) { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
        _podsPath = $"api/v1/namespaces/{Uri.EscapeDataString(connection.Namespace)}/pods";
    }

    /// <inheritdoc />
    public string Namespace => _connection.Namespace;

    /// <inheritdoc />
    public async Task<Pod> CreateAsync(JsonObject manifest, CancellationToken ct)
    {
        using var request = NewRequest(HttpMethod.Post, _podsPath);
        request.Content = JsonContent.Create(manifest);
        using var response = await SendAsync(request, TimeSpan.FromSeconds(30), ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<Pod>(response, ct);
    }

    /// <inheritdoc />
    public async Task<Pod?> GetAsync(string name, CancellationToken ct)
    {
        using var request = NewRequest(HttpMethod.Get, $"{_podsPath}/{Uri.EscapeDataString(name)}");
        using var response = await SendAsync(request, TimeSpan.FromSeconds(30), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<Pod>(response, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Pod>> ListAsync(string labelSelector, CancellationToken ct)
    {
        using var request = NewRequest(HttpMethod.Get, $"{_podsPath}?labelSelector={Uri.EscapeDataString(labelSelector)}");
        using var response = await SendAsync(request, TimeSpan.FromSeconds(60), ct);
        await EnsureSuccessAsync(response, ct);
        return (await ReadAsync<PodList>(response, ct)).Items ?? [];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PodWatchEvent> WatchAsync(
        string name, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var path = $"{_podsPath}?watch=true&fieldSelector={Uri.EscapeDataString("metadata.name=" + name)}"
            + $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={seconds}&allowWatchBookmarks=false";
        using var request = NewRequest(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            yield return ParseEvent(line);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        // Sandboxes are single-use and hold nothing worth a graceful stop.
        using var request = NewRequest(HttpMethod.Delete, $"{_podsPath}/{Uri.EscapeDataString(name)}?gracePeriodSeconds=0");
        using var response = await SendAsync(request, TimeSpan.FromSeconds(30), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            // A namespaced pod list of one checks both that the server answers and that we may read pods.
            using var request = NewRequest(HttpMethod.Get, $"{_podsPath}?limit=1");
            using var response = await SendAsync(request, TimeSpan.FromSeconds(5), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    internal static PodWatchEvent ParseEvent(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (!root.TryGetProperty("object", out var item))
        {
            return new PodWatchEvent(type, null, null);
        }

        return type == "ERROR"
            ? new PodWatchEvent(type, null, item.Deserialize<KubernetesStatus>(Json))
            : new PodWatchEvent(type, item.Deserialize<Pod>(Json), null);
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_connection.CurrentToken() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return await _http.SendAsync(request, cts.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The Kubernetes API ({_connection.Server}) did not answer {request.Method} within {timeout.TotalSeconds} s.", e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        KubernetesStatus? status = null;
        try
        {
            status = JsonSerializer.Deserialize<KubernetesStatus>(text, Json);
        }
        catch (JsonException)
        {
        }

        var message = status?.Message is { Length: > 0 } m ? m : text.Length > 300 ? text[..300] : text;
        throw new KubernetesApiException(response.StatusCode, status?.Reason,
            $"Kubernetes API answered {(int)response.StatusCode} {status?.Reason ?? response.ReasonPhrase}: {message}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new KubernetesApiException(response.StatusCode, null, "Kubernetes API answered an empty body.");
}
