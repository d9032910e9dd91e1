namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary>
/// 400 answer of <c>POST /v1/execute-custom-tool</c>: the tool's traceback, or messages naming the invalid fields
/// or the problems with the request.
/// </summary>
public sealed record ExecuteCustomToolErrorResponse(string Stderr);
