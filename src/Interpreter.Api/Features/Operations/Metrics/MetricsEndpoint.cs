using FastEndpoints;
using Interpreter.Api.Operations;

namespace Interpreter.Api.Features.Operations.Metrics;

/// <summary><c>GET /metrics</c>: the Prometheus text format, written by OpenTelemetry's exporter.</summary>
internal sealed class MetricsEndpoint(PrometheusScrape scrape) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/metrics");
        AllowAnonymous();
        // The exporter writes the whole answer itself.
        DontAutoSendResponse();
        Description(b => b
            .WithName("Metrics")
            .Produces<string>(StatusCodes.Status200OK, "text/plain"));
        Summary(s => s.Summary = "Prometheus metrics: pool, acquire latency, execution duration, spawn failures, requests.");
    }

    public override Task HandleAsync(CancellationToken ct) => scrape.WriteAsync(HttpContext);
}
