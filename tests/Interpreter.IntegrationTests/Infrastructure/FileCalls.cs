using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Api.Features.Files.Upload;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>Upload, download, expire and execute-with-files calls as clients send them.</summary>
internal static class FileCalls
{
    public static async Task<UploadResponse> UploadAsync(this HttpClient client, string? chatId, string filename, byte[] content,
        CancellationToken ct, long? maxDownloads = null, long? expiresSeconds = null)
    {
        using var response = await client.PostUploadAsync(chatId, filename, new ByteArrayContent(content), ct, maxDownloads, expiresSeconds);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"upload answered {(int)response.StatusCode}: {body}");
        }

        return JsonSerializer.Deserialize<UploadResponse>(body, ExecuteCalls.Json)!;
    }

    public static async Task<HttpResponseMessage> PostUploadAsync(this HttpClient client, string? chatId, string filename,
        HttpContent file, CancellationToken ct, long? maxDownloads = null, long? expiresSeconds = null)
    {
        using var form = new MultipartFormDataContent();
        if (chatId is not null)
        {
            form.Add(new StringContent(chatId), "chat_id");
        }

        if (maxDownloads is not null)
        {
            form.Add(new StringContent(maxDownloads.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "max_downloads");
        }

        if (expiresSeconds is not null)
        {
            form.Add(new StringContent(expiresSeconds.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "expires_seconds");
        }

        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "upload", filename);
        return await client.PostAsync("/v1/upload", form, ct);
    }

    /// <summary>POST /v1/download; the caller disposes the response (its body streams).</summary>
    public static Task<HttpResponseMessage> DownloadAsync(this HttpClient client, string? chatId, string hash, string filename,
        CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/download")
        {
            Content = JsonContent.Create(new { chat_id = chatId, file_hash = hash, filename }, options: ExecuteCalls.Json),
        };
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    public static async Task<byte[]?> DownloadBytesAsync(this HttpClient client, string? chatId, string hash, string filename,
        CancellationToken ct)
    {
        using var response = await client.DownloadAsync(chatId, hash, filename, ct);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync(ct) : null;
    }

    public static Task<HttpResponseMessage> ExpireAsync(this HttpClient client, string? chatId, string hash, string filename,
        CancellationToken ct) =>
        client.PostAsJsonAsync("/v1/expire", new { chat_id = chatId, file_hash = hash, filename }, ExecuteCalls.Json, ct);

    /// <summary>POST /v1/execute with any body; returns the status and the raw answer.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostExecuteAsync(this HttpClient client, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync("/v1/execute", body, ExecuteCalls.Json, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>POST /v1/execute that must succeed.</summary>
    public static async Task<ExecuteResponse> ExecuteWithAsync(this HttpClient client, object body, CancellationToken ct)
    {
        var (status, text) = await client.PostExecuteAsync(body, ct);
        if (status != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"execute answered {(int)status}: {text}");
        }

        return JsonSerializer.Deserialize<ExecuteResponse>(text, ExecuteCalls.Json)!;
    }

    public static string Sha256(byte[] bytes) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
