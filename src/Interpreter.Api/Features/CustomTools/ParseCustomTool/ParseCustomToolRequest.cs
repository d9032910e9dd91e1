namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary>Body of <c>POST /v1/parse-custom-tool</c> (snake_case on the wire).</summary>
public sealed record ParseCustomToolRequest
{
    /// <summary>Python source: optional imports, then exactly one function with annotated parameters.</summary>
    public string? ToolSourceCode { get; init; }

    /// <summary>Accepted for symmetry with the other endpoints, never required: parsing touches no stored file.</summary>
    public string? ChatId { get; init; }
}
