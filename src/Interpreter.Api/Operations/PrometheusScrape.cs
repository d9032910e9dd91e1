using Microsoft.AspNetCore.Builder;

namespace Interpreter.Api.Operations;

/// <summary>
/// OpenTelemetry's Prometheus scrape handler over this host's meter provider, built once as a small pipeline of its
/// own so that the <c>/metrics</c> endpoint answers through it like any other endpoint (documented, counted).
/// </summary>
internal sealed class PrometheusScrape(IServiceProvider services)
{
    private readonly RequestDelegate _scrape = new ApplicationBuilder(services)
        .UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
        .Build();

    public Task WriteAsync(HttpContext context) => _scrape(context);
}
