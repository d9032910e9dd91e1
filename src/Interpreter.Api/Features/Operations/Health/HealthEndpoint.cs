using FastEndpoints;

namespace Interpreter.Api.Features.Operations.Health;

/// <summary><c>GET /healthz</c>: liveness, the process answers.</summary>
internal sealed class HealthEndpoint : EndpointWithoutRequest<HealthResponse>
{
    public override void Configure()
    {
        Get("/healthz");
        AllowAnonymous();
        Description(b => b.WithName("Health"));
        Summary(s => s.Summary = "Liveness: the process answers.");
    }

    public override Task HandleAsync(CancellationToken ct) => Send.OkAsync(new HealthResponse("ok", null), ct);
}
