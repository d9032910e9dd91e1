using FastEndpoints;
using Interpreter.Api.Access;

namespace Interpreter.Api.Features.Execute.Run;

/// <summary><c>POST /v1/execute</c>: run Python in a fresh sandbox, files in and out.</summary>
internal sealed class ExecuteEndpoint(ExecutionService service) : Endpoint<ExecuteRequest, ExecuteResponse>
{
    public override void Configure()
    {
        Post("/v1/execute");
        AllowAnonymous();
        RequestBinder(new JsonBodyBinder<ExecuteRequest>(decodeCharset: true));
        Options(b => b.RequireSpawnAccess());
        Description(b => b
            .ClearDefaultAccepts()
            .AcceptsJsonBody<ExecuteRequest>()
            .WithName("Execute")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
        Summary(s => s.Summary =
            "Runs Python source in a single-use sandbox and returns its output and the files it created or changed.");
    }

    public override async Task HandleAsync(ExecuteRequest req, CancellationToken ct) =>
        await Send.OkAsync(await service.ExecuteAsync(req, ct), ct);
}
