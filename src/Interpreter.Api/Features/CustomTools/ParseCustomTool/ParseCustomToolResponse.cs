namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary>
/// Answer of <c>POST /v1/parse-custom-tool</c>. <see cref="ToolInputSchemaJson"/> is the draft-07 schema as a JSON
/// string (not an object), as the reference service sends it.
/// </summary>
public sealed record ParseCustomToolResponse(string ToolName, string ToolInputSchemaJson, string ToolDescription);
