namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary>Answer of <c>POST /v1/execute-custom-tool</c>: the function's return value as JSON text.</summary>
public sealed record ExecuteCustomToolResponse(string ToolOutputJson);
