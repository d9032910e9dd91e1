using FastEndpoints;
using Interpreter.Executor.Pool;
using Interpreter.Storage;

namespace Interpreter.Api.Features.Operations.Ready;

/// <summary><c>GET /readyz</c>: readiness, the storage folder is writable and the sandbox backend answers.</summary>
internal sealed class ReadyEndpoint(StorageProbe storage, ISandboxBackend backend, ISandboxPool pool) : EndpointWithoutRequest<HealthResponse>
{
    public override void Configure()
    {
        Get("/readyz");
        AllowAnonymous();
        Description(b => b
            .WithName("Ready")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable, "application/json"));
        Summary(s => s.Summary = "Readiness: storage is writable and the sandbox backend answers.");
    }

    public override async Task HandleAsync(CancellationToken ct)
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
        var ready = storageOk && backendOk;
        await Send.ResponseAsync(new HealthResponse(ready ? "ok" : "not ready", checks),
            ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, ct);
    }
}
