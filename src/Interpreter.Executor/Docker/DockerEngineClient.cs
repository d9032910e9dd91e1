using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Interpreter.Executor.Docker;

/// <summary>
/// A typed client of the Docker Engine API over its unix socket (or TCP). The API version is negotiated
/// from <c>/version</c> on first use: the engine's own version, capped at the newest this client was written for.
/// </summary>
public sealed class DockerEngineClient : IDockerEngine, IDisposable
{
    private const string NewestKnownApiVersion = "1.45";
    private const string OldestSupportedApiVersion = "1.41";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private string? _prefix;

    /// <summary>Creates a client for <paramref name="dockerHost"/>: <c>unix:///var/run/docker.sock</c> or <c>tcp://host:port</c>.</summary>
    public DockerEngineClient(string dockerHost)
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        Uri baseAddress;
        if (dockerHost.StartsWith("unix://", StringComparison.Ordinal))
        {
            var socketPath = dockerHost["unix://".Length..];
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            baseAddress = new Uri("http://docker/");
        }
        else
        {
            baseAddress = new Uri(dockerHost.Replace("tcp://", "http://", StringComparison.Ordinal).TrimEnd('/') + "/");
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <inheritdoc />
    public async Task<DockerVersion> GetVersionAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("version", ct);
        await EnsureSuccessAsync(response, ct);
        var version = await response.Content.ReadFromJsonAsync<DockerVersion>(Json, ct)
            ?? throw new DockerEngineException(response.StatusCode, "empty /version answer");
        return version;
    }

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync("_ping", ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<bool> ImageExistsAsync(string image, CancellationToken ct)
    {
        using var response = await _http.GetAsync(await PathAsync($"images/{Uri.EscapeDataString(image)}/json", ct), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <inheritdoc />
    public async Task<string> CreateContainerAsync(string name, ContainerCreateRequest request, CancellationToken ct)
    {
        var path = await PathAsync($"containers/create?name={Uri.EscapeDataString(name)}", ct);
        using var response = await _http.PostAsJsonAsync(path, request, Json, ct);
        await EnsureSuccessAsync(response, ct);
        var created = await response.Content.ReadFromJsonAsync<CreatedContainer>(Json, ct);
        return created?.Id ?? throw new DockerEngineException(response.StatusCode, "create answered no id");
    }

    /// <inheritdoc />
    public async Task StartContainerAsync(string id, CancellationToken ct)
    {
        using var response = await _http.PostAsync(await PathAsync($"containers/{Uri.EscapeDataString(id)}/start", ct), null, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <inheritdoc />
    public async Task RemoveContainerAsync(string id, CancellationToken ct)
    {
        using var response = await _http.DeleteAsync(await PathAsync($"containers/{Uri.EscapeDataString(id)}?force=true&v=true", ct), ct);
        if (response.StatusCode is HttpStatusCode.NotFound)
        {
            return;
        }

        // 409: another remover got there first; the container is gone only when that removal ends.
        if (response.StatusCode is HttpStatusCode.Conflict)
        {
            while (await InspectContainerAsync(id, ct) is not null)
            {
                await Task.Delay(50, ct);
            }

            return;
        }

        await EnsureSuccessAsync(response, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["label"] = labels.Select(l => $"{l.Key}={l.Value}").ToArray(),
        });
        var path = await PathAsync($"containers/json?all=true&filters={Uri.EscapeDataString(filters)}", ct);
        using var response = await _http.GetAsync(path, ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<List<ContainerSummary>>(Json, ct) ?? [];
    }

    /// <inheritdoc />
    public async Task<ContainerInspect?> InspectContainerAsync(string id, CancellationToken ct)
    {
        using var response = await _http.GetAsync(await PathAsync($"containers/{Uri.EscapeDataString(id)}/json", ct), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<ContainerInspect>(Json, ct);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _negotiation.Dispose();
    }

    private async ValueTask<string> PathAsync(string relative, CancellationToken ct)
    {
        if (_prefix is null)
        {
            await _negotiation.WaitAsync(ct);
            try
            {
                if (_prefix is null)
                {
                    var version = await GetVersionAsync(ct);
                    _prefix = "v" + Negotiate(version.ApiVersion) + "/";
                }
            }
            finally
            {
                _negotiation.Release();
            }
        }

        return _prefix + relative;
    }

    /// <summary>The engine's API version, capped at the newest one this client knows.</summary>
    internal static string Negotiate(string engineApiVersion)
    {
        var engine = Version.Parse(engineApiVersion);
        if (engine < Version.Parse(OldestSupportedApiVersion))
        {
            throw new DockerEngineException(HttpStatusCode.NotImplemented,
                $"engine API {engineApiVersion} is older than the oldest supported, {OldestSupportedApiVersion}; upgrade Docker");
        }

        var newest = Version.Parse(NewestKnownApiVersion);
        var chosen = engine < newest ? engine : newest;
        return chosen.ToString(2);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var document = JsonDocument.Parse(message);
            if (document.RootElement.TryGetProperty("message", out var text))
            {
                message = text.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
            // Not JSON: keep the raw text.
        }

        throw new DockerEngineException(response.StatusCode, string.IsNullOrEmpty(message)
            ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)
            : message.Trim());
    }

    private sealed record CreatedContainer(string Id);
}
