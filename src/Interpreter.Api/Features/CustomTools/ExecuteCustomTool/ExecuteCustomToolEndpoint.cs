using FluentValidation;
using Interpreter.Api.Access;
using Interpreter.Executor.CustomTools;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary><c>POST /v1/execute-custom-tool</c>: validate the input against the tool's schema, then call it in a fresh sandbox.</summary>
internal static class ExecuteCustomToolEndpoint
{
    public static IEndpointRouteBuilder MapExecuteCustomToolEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/execute-custom-tool", HandleAsync)
            .RequireSpawnAccess()
            .WithName("ExecuteCustomTool")
            .WithSummary("Calls a Python tool function in a single-use sandbox with JSON arguments and returns its value as JSON.")
            .DocumentsJsonBody<ExecuteCustomToolRequest>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<ExecuteCustomToolResponse>, BadRequest<ExecuteCustomToolErrorResponse>, JsonHttpResult<ExecuteCustomToolErrorResponse>>> HandleAsync(
        HttpRequest http,
        IValidator<ExecuteCustomToolRequest> validator,
        ICustomToolRunner runner,
        IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        var body = await CustomToolRequestBody.ReadAsync<ExecuteCustomToolRequest>(http, json.Value.SerializerOptions, ct);
        if (body.Value is not { } request)
        {
            return TypedResults.Json(new ExecuteCustomToolErrorResponse(body.Error!), statusCode: body.StatusCode);
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return TypedResults.BadRequest(new ExecuteCustomToolErrorResponse(
                string.Join("\n", validation.Errors.Select(e => e.ErrorMessage).Distinct())));
        }

        var input = string.IsNullOrWhiteSpace(request.ToolInputJson) ? "{}" : request.ToolInputJson;
        var result = await runner.RunAsync(new CustomToolRunRequest(request.ToolSourceCode!, input, request.Env ?? []), ct);
        return result.Status == CustomToolRunStatus.Succeeded
            ? TypedResults.Ok(new ExecuteCustomToolResponse(result.OutputJson!))
            : TypedResults.BadRequest(new ExecuteCustomToolErrorResponse(result.Stderr!));
    }
}
