using System.Net.Http.Json;
using System.Text.Json;
using Interpreter.Api.Features.Execute.Run;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>POST /v1/execute as a client sends it (snake_case JSON).</summary>
internal static class ExecuteCalls
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static async Task<ExecuteResponse> ExecuteAsync(this HttpClient client, string code, CancellationToken ct,
        Dictionary<string, string>? env = null, int? timeoutSeconds = null)
    {
        using var response = await client.PostAsJsonAsync("/v1/execute",
            new { source_code = code, chat_id = "tests", env, timeout_seconds = timeoutSeconds }, Json, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"execute answered {(int)response.StatusCode}: {body}");
        }

        return JsonSerializer.Deserialize<ExecuteResponse>(body, Json)!;
    }
}
