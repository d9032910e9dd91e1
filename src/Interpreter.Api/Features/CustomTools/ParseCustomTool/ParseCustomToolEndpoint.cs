using FluentValidation;
using Interpreter.Api.Access;
using Interpreter.Executor.CustomTools;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary><c>POST /v1/parse-custom-tool</c>: a tool's name, input schema and description, read without running it.</summary>
internal static class ParseCustomToolEndpoint
{
    public static IEndpointRouteBuilder MapParseCustomToolEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/parse-custom-tool", HandleAsync)
            .RequireSpawnAccess()
            .WithName("ParseCustomTool")
            .WithSummary("Parses a Python tool function, without running it, into its name, input JSON Schema and description.")
            .DocumentsJsonBody<ParseCustomToolRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<Ok<ParseCustomToolResponse>, BadRequest<ParseCustomToolErrorResponse>, JsonHttpResult<ParseCustomToolErrorResponse>>> HandleAsync(
        HttpRequest http,
        IValidator<ParseCustomToolRequest> validator,
        ICustomToolParser parser,
        IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        var body = await CustomToolRequestBody.ReadAsync<ParseCustomToolRequest>(http, json.Value.SerializerOptions, ct);
        if (body.Value is not { } request)
        {
            return TypedResults.Json(new ParseCustomToolErrorResponse([body.Error!]), statusCode: body.StatusCode);
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return TypedResults.BadRequest(new ParseCustomToolErrorResponse(
                validation.Errors.Select(e => e.ErrorMessage).Distinct().ToList()));
        }

        var result = parser.Parse(request.ToolSourceCode!);
        return result.Tool is { } tool
            ? TypedResults.Ok(new ParseCustomToolResponse(tool.Name, tool.InputSchemaJson, tool.Description))
            : TypedResults.BadRequest(new ParseCustomToolErrorResponse(result.Errors) { ErrorDetails = result.Details });
    }
}
