using FastEndpoints;
using Interpreter.Api.Access;
using Interpreter.Executor.CustomTools;

namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary><c>POST /v1/parse-custom-tool</c>: a tool's name, input schema and description, read without running it.</summary>
internal sealed class ParseCustomToolEndpoint(ICustomToolParser parser) : Endpoint<ParseCustomToolRequest, ParseCustomToolResponse>
{
    public override void Configure()
    {
        Post("/v1/parse-custom-tool");
        AllowAnonymous();
        RequestBinder(new JsonBodyBinder<ParseCustomToolRequest>(decodeCharset: false));
        Options(b => b.RequireSpawnAccess());
        Description(b => b
            .ClearDefaultAccepts()
            .AcceptsJsonBody<ParseCustomToolRequest>()
            .WithName("ParseCustomTool")
            .Produces<ParseCustomToolErrorResponse>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ParseCustomToolErrorResponse>(StatusCodes.Status415UnsupportedMediaType, "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge));
        Summary(s => s.Summary =
            "Parses a Python tool function, without running it, into its name, input JSON Schema and description.");
    }

    public override Task OnValidationFailedAsync(CancellationToken ct) =>
        Send.ResultAsync(TypedResults.Json(
            new ParseCustomToolErrorResponse(ValidationFailures.Select(e => e.ErrorMessage).Distinct().ToList()),
            statusCode: RequestBodyFailure.StatusOf(ValidationFailures)));

    public override async Task HandleAsync(ParseCustomToolRequest req, CancellationToken ct)
    {
        var result = parser.Parse(req.ToolSourceCode!);
        if (result.Tool is { } tool)
        {
            await Send.OkAsync(new ParseCustomToolResponse(tool.Name, tool.InputSchemaJson, tool.Description), ct);
            return;
        }

        await Send.ResultAsync(TypedResults.BadRequest(new ParseCustomToolErrorResponse(result.Errors) { ErrorDetails = result.Details }));
    }
}
