using System.Text.Json;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>The message an error answer carries, in the shape its endpoint promises.</summary>
internal static class HostileAnswer
{
    /// <summary>The custom-tool endpoints keep the reference's shapes for their own 400/415 answers; all else is problem+json.</summary>
    public static string ExpectedMediaType(HostileRequestCase request, int status) =>
        IsCustomToolShape(request, status) ? "application/json" : "application/problem+json";

    /// <summary>
    /// The decoded text of the answer's message: problem+json <c>detail</c> and <c>errors</c> (a bare <c>title</c> is not
    /// a message), <c>error_messages</c> for parse-custom-tool, <c>stderr</c> for execute-custom-tool; null when none.
    /// </summary>
    public static string? MessageOf(HostileRequestCase request, RawHttpResponse response)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parts = new List<string>();
        if (IsCustomToolShape(request, response.Status ?? 0))
        {
            var key = request.Target.Contains("parse", StringComparison.Ordinal) ? "error_messages" : "stderr";
            if (root.TryGetProperty(key, out var value))
            {
                parts.AddRange(value.ValueKind == JsonValueKind.Array
                    ? value.EnumerateArray().Select(m => m.GetString() ?? "")
                    : [value.GetString() ?? ""]);
            }
        }
        else
        {
            if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                parts.Add(detail.GetString()!);
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                parts.AddRange(errors.EnumerateObject().SelectMany(field => field.Value.EnumerateArray().Select(m => $"{field.Name}: {m.GetString()}")));
            }
        }

        var message = string.Join("\n", parts.Where(p => !string.IsNullOrWhiteSpace(p)));
        return message.Length > 0 ? message : null;
    }

    private static bool IsCustomToolShape(HostileRequestCase request, int status) =>
        request.Method == "POST"
        && request.Target is "/v1/parse-custom-tool" or "/v1/execute-custom-tool"
        && status is 400 or 415;
}
