using System.Globalization;
using System.Text.Json;

namespace Interpreter.Executor.Configuration;

/// <summary>APP_EXECUTOR_CONTAINER_RESOURCES read: Kubernetes-style limits and requests, each optional.</summary>
public sealed record SandboxResources(double? CpuLimit, long? MemoryLimit, double? CpuRequest, long? MemoryRequest)
{
    /// <summary>No resources given.</summary>
    public static readonly SandboxResources None = new(null, null, null, null);

    /// <summary>Parses the JSON; throws <see cref="FormatException"/> naming the variable and the bad field.</summary>
    public static SandboxResources Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return None;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("APP_EXECUTOR_CONTAINER_RESOURCES must be a JSON object with 'limits' and/or 'requests'.");
            }

            var (cpuLimit, memoryLimit) = Read(document.RootElement, "limits");
            var (cpuRequest, memoryRequest) = Read(document.RootElement, "requests");
            return new SandboxResources(cpuLimit, memoryLimit, cpuRequest, memoryRequest);
        }
        catch (JsonException e)
        {
            throw new FormatException($"APP_EXECUTOR_CONTAINER_RESOURCES is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A Kubernetes CPU quantity: <c>500m</c>, <c>1</c>, <c>1.5</c>.</summary>
    public static bool TryParseCpu(string text, out double cores)
    {
        var milli = text.EndsWith('m');
        var ok = double.TryParse(milli ? text[..^1] : text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out cores);
        if (milli)
        {
            cores /= 1000;
        }

        return ok && cores > 0;
    }

    private static (double? Cpu, long? Memory) Read(JsonElement root, string section)
    {
        if (!root.TryGetProperty(section, out var values))
        {
            return (null, null);
        }

        if (values.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"APP_EXECUTOR_CONTAINER_RESOURCES '{section}' must be an object.");
        }

        double? cpu = null;
        long? memory = null;
        if (values.TryGetProperty("cpu", out var cpuValue))
        {
            var text = cpuValue.ValueKind == JsonValueKind.Number ? cpuValue.GetRawText() : cpuValue.GetString() ?? "";
            cpu = TryParseCpu(text, out var cores)
                ? cores
                : throw new FormatException($"APP_EXECUTOR_CONTAINER_RESOURCES {section}.cpu '{text}' is not a CPU quantity (e.g. 500m, 1, 1.5).");
        }

        if (values.TryGetProperty("memory", out var memoryValue))
        {
            var text = memoryValue.ValueKind == JsonValueKind.Number ? memoryValue.GetRawText() : memoryValue.GetString() ?? "";
            memory = ByteSize.TryParse(text, out var size) && size.Bytes > 0
                ? size.Bytes
                : throw new FormatException($"APP_EXECUTOR_CONTAINER_RESOURCES {section}.memory '{text}' is not a size (e.g. 512Mi, 1Gi).");
        }

        return (cpu, memory);
    }
}
