using Interpreter.Api.Access;
using Interpreter.Api.Errors;

namespace Interpreter.Api.Features.Execute;

/// <summary><c>POST /v1/execute</c>: run Python in a fresh sandbox, files in and out.</summary>
internal static class ExecuteEndpoint
{
    public static IEndpointRouteBuilder MapExecuteEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/execute", HandleAsync)
            .RequireSpawnAccess()
            .AddEndpointFilter<ValidationFilter<ExecuteRequest>>()
            .WithName("Execute")
            .WithSummary("Runs Python source in a single-use sandbox and returns its output and the files it created or changed.")
            .Produces<ExecuteResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Task<ExecuteResponse> HandleAsync(ExecuteRequest request, ExecutionService service, CancellationToken ct) =>
        service.ExecuteAsync(request, ct);
}
