using Interpreter.Executor.Pool;
using Interpreter.Storage;

namespace Interpreter.Api.Operations;

/// <summary><c>/healthz</c> (the process lives) and <c>/readyz</c> (storage writable and the sandbox backend answers).</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok", null)))
            .WithName("Health").WithSummary("Liveness: the process answers.");

        app.MapGet("/readyz", async (StorageProbe storage, ISandboxBackend backend, ISandboxPool pool, CancellationToken ct) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var storageOk = await storage.IsWritableAsync(timeout.Token);
                var backendOk = await backend.IsAvailableAsync(timeout.Token);
                var snapshot = pool.Snapshot;
                var checks = new Dictionary<string, string>
                {
                    ["storage"] = storageOk ? "ok" : "not writable",
                    ["backend"] = backendOk ? "ok" : "not answering",
                    ["pool"] = $"ready={snapshot.Ready} starting={snapshot.Starting} in_use={snapshot.InUse}",
                };
                var body = new HealthResponse(storageOk && backendOk ? "ok" : "not ready", checks);
                return storageOk && backendOk
                    ? Results.Ok(body)
                    : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("Ready").WithSummary("Readiness: storage is writable and the sandbox backend answers.")
            .Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
