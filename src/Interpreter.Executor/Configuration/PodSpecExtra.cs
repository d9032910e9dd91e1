using System.Text.Json;
using System.Text.Json.Nodes;

namespace Interpreter.Executor.Configuration;

/// <summary>APP_EXECUTOR_POD_SPEC_EXTRA read: a JSON object merged into pod specs; on Docker only the runtime class applies.</summary>
public static class PodSpecExtra
{
    /// <summary>Parses the JSON object (empty when unset); throws <see cref="FormatException"/> naming the variable.</summary>
    public static JsonObject Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new FormatException("APP_EXECUTOR_POD_SPEC_EXTRA must be a JSON object, e.g. {\"runtimeClassName\":\"gvisor\"}.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"APP_EXECUTOR_POD_SPEC_EXTRA is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The <c>runtimeClassName</c>, which Docker takes as the container runtime (e.g. runsc for gVisor).</summary>
    public static string? RuntimeClassName(JsonObject extra) =>
        extra["runtimeClassName"] is JsonValue value && value.TryGetValue<string>(out var name) && name.Length > 0 ? name : null;
}
