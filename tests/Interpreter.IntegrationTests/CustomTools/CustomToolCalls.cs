using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.CustomTools;

/// <summary>POSTs to the custom-tool endpoints as a client does, and reads the answer as raw JSON.</summary>
internal static class CustomToolCalls
{
    public sealed record Answer(HttpStatusCode Status, string? MediaType, JsonObject Body);

    public static Task<Answer> ParseToolAsync(this HttpClient client, string source, CancellationToken ct) =>
        client.PostJsonAsync("/v1/parse-custom-tool", new { tool_source_code = source }, ct);

    public static Task<Answer> ExecuteToolAsync(this HttpClient client, string source, string input, CancellationToken ct,
        Dictionary<string, string>? env = null) =>
        client.PostJsonAsync("/v1/execute-custom-tool", new { tool_source_code = source, tool_input_json = input, env }, ct);

    public static async Task<Answer> PostJsonAsync(this HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ExecuteCalls.Json, ct);
        return await ReadAsync(response, ct);
    }

    public static async Task<Answer> PostRawAsync(this HttpClient client, string path, string body, string mediaType, CancellationToken ct)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using var response = await client.PostAsync(path, content, ct);
        return await ReadAsync(response, ct);
    }

    private static async Task<Answer> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        var json = JsonNode.Parse(text) as JsonObject
            ?? throw new InvalidOperationException($"{(int)response.StatusCode}: not a JSON object: {text}");
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, json);
    }
}
