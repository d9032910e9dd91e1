using Interpreter.Api.Access;
using Interpreter.Api.Errors;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Execution;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Execute;

/// <summary><c>POST /v1/execute</c>: run Python in a fresh sandbox.</summary>
internal static class ExecuteEndpoint
{
    public static IEndpointRouteBuilder MapExecuteEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/execute", HandleAsync)
            .RequireSpawnAccess()
            .AddEndpointFilter<ValidationFilter<ExecuteRequest>>()
            .WithName("Execute")
            .WithSummary("Runs Python source in a single-use sandbox and returns its output.")
            .Produces<ExecuteResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<ExecuteResponse> HandleAsync(
        ExecuteRequest request,
        ICodeExecutor executor,
        IOptions<ExecutorOptions> executorOptions,
        CancellationToken ct)
    {
        var chatId = request.ChatId ?? RequestRules.DefaultChatId;
        if (request.Files is { Count: > 0 } files)
        {
            // File storage is not wired in yet, so no chat owns any file.
            var hash = files.Values.First();
            throw new ApiProblemException(StatusCodes.Status404NotFound, "File not found",
                $"File {hash} was not found for chat '{chatId}'.");
        }

        var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds ?? executorOptions.Value.DefaultTimeoutSeconds);
        var result = await executor.ExecuteAsync(
            new ExecutionRequest(request.SourceCode!, request.Env ?? [], timeout), ct);

        return new ExecuteResponse(result.Stdout, result.Stderr, result.ExitCode,
            new Dictionary<string, string>(), new Dictionary<string, FileMetadataResponse>(), chatId);
    }
}
