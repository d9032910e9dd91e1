namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary>400 answer of <c>POST /v1/parse-custom-tool</c>: one message per problem, all at once.</summary>
public sealed record ParseCustomToolErrorResponse(IReadOnlyList<string> ErrorMessages);
