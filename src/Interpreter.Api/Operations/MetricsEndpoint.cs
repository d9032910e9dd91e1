namespace Interpreter.Api.Operations;

/// <summary><c>GET /metrics</c>: Prometheus text format.</summary>
internal static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (PrometheusExporter exporter) =>
                Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("Metrics")
            .WithSummary("Prometheus metrics: pool, acquire latency, execution duration, spawn failures, requests.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }
}
