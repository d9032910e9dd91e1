using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Interpreter.Executor.CustomTools.Running;

/// <summary>
/// The Python program that runs one tool call in a sandbox: the fixed harness (ToolHarness.py) plus one call
/// <c>_run("&lt;base64&gt;")</c> whose payload carries the tool's source, the arguments and a random marker.
/// The request's text is only ever base64 inside a string literal, never Python code.
/// </summary>
internal sealed class ToolProgram
{
    private static readonly Lazy<string> Harness = new(LoadHarness);

    private ToolProgram(string source, string marker)
    {
        Source = source;
        Marker = marker;
    }

    /// <summary>The program to execute.</summary>
    public string Source { get; }

    /// <summary>Surrounds the result on stdout; random per call, so nothing the tool prints can pass for it.</summary>
    public string Marker { get; }

    public static ToolProgram Create(CustomTool tool, string toolSource, string inputJson)
    {
        var marker = "@@computesandbox-tool-result-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "@@";
        var payload = new JsonObject
        {
            ["source"] = toolSource,
            ["function"] = tool.Name,
            ["parameters"] = new JsonArray(tool.Parameters
                .Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["type"] = ToolTypePlan.For(p.Type) })
                .ToArray()),
            ["input"] = inputJson,
            ["marker"] = marker,
        };
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return new ToolProgram($"{Harness.Value}\n_run(\"{encoded}\")\n", marker);
    }

    /// <summary>
    /// The result JSON the harness wrote between two markers. False when there is none (the tool failed) or it
    /// was cut off by the output limit; <paramref name="truncated"/> tells the two apart.
    /// </summary>
    public bool TryReadOutput(string stdout, out string outputJson, out bool truncated)
    {
        outputJson = "";
        truncated = false;
        var start = stdout.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return false;
        }

        start += Marker.Length;
        var end = stdout.IndexOf(Marker, start, StringComparison.Ordinal);
        if (end < 0)
        {
            truncated = true;
            return false;
        }

        var json = stdout[start..end];
        try
        {
            using var document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            truncated = true;
            return false;
        }

        outputJson = json;
        return true;
    }

    private static string LoadHarness()
    {
        using var stream = typeof(ToolProgram).Assembly.GetManifestResourceStream("Interpreter.Executor.CustomTools.ToolHarness.py")
            ?? throw new InvalidOperationException("The custom-tool harness is not embedded in the executor assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
