using FastEndpoints;
using Interpreter.Api.Access;
using Interpreter.Executor.CustomTools;

namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary><c>POST /v1/execute-custom-tool</c>: validate the input against the tool's schema, then call it in a fresh sandbox.</summary>
internal sealed class ExecuteCustomToolEndpoint(ICustomToolRunner runner) : Endpoint<ExecuteCustomToolRequest, ExecuteCustomToolResponse>
{
    public override void Configure()
    {
        Post("/v1/execute-custom-tool");
        AllowAnonymous();
        RequestBinder(new JsonBodyBinder<ExecuteCustomToolRequest>(decodeCharset: false));
        Options(b => b.RequireSpawnAccess());
        Description(b => b
            .ClearDefaultAccepts()
            .AcceptsJsonBody<ExecuteCustomToolRequest>()
            .WithName("ExecuteCustomTool")
            .Produces<ExecuteCustomToolErrorResponse>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ExecuteCustomToolErrorResponse>(StatusCodes.Status415UnsupportedMediaType, "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
        Summary(s => s.Summary =
            "Calls a Python tool function in a single-use sandbox with JSON arguments and returns its value as JSON.");
    }

    public override Task OnValidationFailedAsync(CancellationToken ct) =>
        Send.ResultAsync(TypedResults.Json(
            new ExecuteCustomToolErrorResponse(string.Join("\n", ValidationFailures.Select(e => e.ErrorMessage).Distinct())),
            statusCode: RequestBodyFailure.StatusOf(ValidationFailures)));

    public override async Task HandleAsync(ExecuteCustomToolRequest req, CancellationToken ct)
    {
        var input = string.IsNullOrWhiteSpace(req.ToolInputJson) ? "{}" : req.ToolInputJson;
        var result = await runner.RunAsync(new CustomToolRunRequest(req.ToolSourceCode!, input, req.Env ?? []), ct);
        if (result.Status == CustomToolRunStatus.Succeeded)
        {
            await Send.OkAsync(new ExecuteCustomToolResponse(result.OutputJson!), ct);
            return;
        }

        await Send.ResultAsync(TypedResults.BadRequest(new ExecuteCustomToolErrorResponse(result.Stderr!)));
    }
}
