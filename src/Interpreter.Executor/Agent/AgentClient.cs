using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Interpreter.Executor.Agent;

/// <summary>
/// Client of one sandbox's agent (executor-image/agent/agent.py): health, files in and out as streams,
/// and one execution. Calls are made one after another; the agent serves one connection at a time.
/// </summary>
public sealed class AgentClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly HttpClient _http;
    private readonly AgentEndpoint _endpoint;

    internal AgentClient(HttpClient http, AgentEndpoint endpoint)
    {
        _http = http;
        _endpoint = endpoint;
    }

    /// <summary>True when the agent answers its health request within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var request = NewRequest(HttpMethod.Get, "health");
            using var response = await _http.SendAsync(request, cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Runs code and waits for its result; <paramref name="deadline"/> bounds the whole call.</summary>
    public async Task<AgentExecuteResult> ExecuteAsync(AgentExecuteRequest body, TimeSpan deadline, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(deadline);
        try
        {
            using var request = NewRequest(HttpMethod.Post, "execute");
            request.Content = JsonContent.Create(body, options: Json);
            using var response = await _http.SendAsync(request, cts.Token);
            await EnsureSuccessAsync(response, cts.Token);
            return await response.Content.ReadFromJsonAsync<AgentExecuteResult>(Json, cts.Token)
                ?? throw new AgentUnavailableException("The agent answered an empty execution result.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new AgentUnavailableException($"The agent did not complete the execution: {e.Message}", e);
        }
    }

    /// <summary>
    /// Streams <paramref name="content"/> into the sandbox at <paramref name="path"/>; <paramref name="deadline"/>
    /// bounds the whole call. An answer of the agent that refuses the file (4xx) is an
    /// <see cref="AgentUnavailableException"/> whose inner <see cref="HttpRequestException"/> carries the status.
    /// </summary>
    public async Task<AgentFileInfo> PutFileAsync(string path, Stream content, long length, TimeSpan deadline, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(deadline);
        try
        {
            using var response = await PutStreamAsync("files?path=" + Uri.EscapeDataString(path), content, length, cts.Token);
            return await response.Content.ReadFromJsonAsync<AgentFileInfo>(Json, cts.Token)
                ?? throw new AgentUnavailableException("The agent answered an empty file result.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            throw new AgentUnavailableException($"The agent did not take the file: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new AgentUnavailableException(
                $"The agent did not take the file within {deadline.TotalSeconds:0.#} seconds.", e);
        }
    }

    /// <summary>
    /// Opens a file of the sandbox as a stream; the caller disposes it. <paramref name="deadline"/> bounds the
    /// whole transfer: reading the body after it throws <see cref="AgentUnavailableException"/>, so an agent that
    /// stalls in the middle of a file cannot hold its reader. The stream's <see cref="Stream.Length"/> is the
    /// length the agent announced (<c>Content-Length</c>), or -1 when it sent none.
    /// </summary>
    public async Task<Stream> OpenFileAsync(string path, TimeSpan deadline, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(deadline);
        var request = NewRequest(HttpMethod.Get, "files?path=" + Uri.EscapeDataString(path));
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            await EnsureSuccessAsync(response, cts.Token);
            return new ResponseStream(await response.Content.ReadAsStreamAsync(cts.Token), response, request, cts, deadline);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            response?.Dispose();
            request.Dispose();
            cts.Dispose();
            throw new AgentUnavailableException(e is OperationCanceledException
                ? $"The agent did not send the file within {deadline.TotalSeconds:0.#} seconds."
                : $"The agent did not send the file: {e.Message}", e);
        }
        catch
        {
            response?.Dispose();
            request.Dispose();
            cts.Dispose();
            throw;
        }
    }

    /// <summary>Which of <paramref name="modules"/> the sandbox's interpreter cannot import.</summary>
    public async Task<IReadOnlyList<string>> MissingModulesAsync(IReadOnlyList<string> modules, CancellationToken ct)
    {
        try
        {
            using var request = NewRequest(HttpMethod.Post, "modules/missing");
            request.Content = JsonContent.Create(new { modules }, options: Json);
            using var response = await _http.SendAsync(request, ct);
            await EnsureSuccessAsync(response, ct);
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return body.RootElement.GetProperty("missing").EnumerateArray().Select(m => m.GetString() ?? "").Where(m => m.Length > 0).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new Packages.PackageInstallException($"the sandbox could not say which modules it lacks ({e.Message})", e);
        }
    }

    /// <summary>Hands a verified wheel to the agent to unpack; returns the distributions it requires that are still missing.</summary>
    public async Task<IReadOnlyList<string>> PutPackageAsync(Packages.FetchedWheel wheel, CancellationToken ct)
    {
        try
        {
            await using var content = File.OpenRead(wheel.CachePath);
            using var response = await PutStreamAsync("packages?path=" + Uri.EscapeDataString(wheel.FileName), content, content.Length, ct);
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return body.RootElement.GetProperty("missing_requires").EnumerateArray().Select(m => m.GetString() ?? "").Where(m => m.Length > 0).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException)
        {
            throw new Packages.PackageInstallException($"the sandbox did not take {wheel.FileName} ({e.Message})", e);
        }
    }

    /// <summary>PUTs <paramref name="content"/> as a stream of <paramref name="length"/> bytes; the agent's refusal throws.</summary>
    private async Task<HttpResponseMessage> PutStreamAsync(string relative, Stream content, long length, CancellationToken ct)
    {
        using var request = NewRequest(HttpMethod.Put, relative);
        request.Content = new StreamContent(content, 81920);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var response = await _http.SendAsync(request, ct);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string relative)
    {
        var request = new HttpRequestMessage(method, new Uri(_endpoint.BaseAddress, relative))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (_endpoint.UnixSocketPath is { } socketPath)
        {
            request.Options.Set(AgentConnector.SocketPathKey, socketPath);
        }

        if (_endpoint.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"agent answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
    }

    /// <summary>Keeps the response alive as long as its body stream is read, and its reads within the deadline.</summary>
    private sealed class ResponseStream(
        Stream inner, HttpResponseMessage response, HttpRequestMessage request, CancellationTokenSource deadline, TimeSpan limit)
        : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.Content.Headers.ContentLength ?? -1;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AgentUnavailableException(
                    $"The agent did not send the whole file within {limit.TotalSeconds:0.#} seconds.", e);
            }
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
                request.Dispose();
                deadline.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
