namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary>Body of <c>POST /v1/execute-custom-tool</c> (snake_case on the wire).</summary>
public sealed record ExecuteCustomToolRequest
{
    /// <summary>Python source of the tool, as for <c>/v1/parse-custom-tool</c>.</summary>
    public string? ToolSourceCode { get; init; }

    /// <summary>A JSON object (as a string) of the tool's arguments; absent or blank means <c>{}</c>.</summary>
    public string? ToolInputJson { get; init; }

    /// <summary>Environment variables for the sandbox.</summary>
    public Dictionary<string, string>? Env { get; init; }

    /// <summary>Accepted, never required: running a tool touches no stored file.</summary>
    public string? ChatId { get; init; }
}
