using System.Text.Json.Serialization;

namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary>
/// 400 answer of <c>POST /v1/parse-custom-tool</c>: <c>error_messages</c> in the reference service's words (one per
/// kind of problem, all at once), and, for a source that is not a tool, <c>error_details</c>: one precise message per
/// problem (parameter, line, how to fix it).
/// </summary>
public sealed record ParseCustomToolErrorResponse(IReadOnlyList<string> ErrorMessages)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ErrorDetails { get; init; }
}
