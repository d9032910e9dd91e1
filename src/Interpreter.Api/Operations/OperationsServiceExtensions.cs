using Microsoft.Extensions.Diagnostics.Metrics;
using Interpreter.Executor;
using Interpreter.Storage;
using OpenTelemetry.Metrics;

namespace Interpreter.Api.Operations;

/// <summary>Metrics (OpenTelemetry, exported as Prometheus text on <c>/metrics</c>) and request ids.</summary>
internal static class OperationsServiceExtensions
{
    // Sandbox starts, acquires and runs take milliseconds to minutes; OpenTelemetry's default buckets are for milliseconds.
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<PrometheusScrape>();

        // This host's own meters only (MeterScope.Local): a process may host more than one service (tests do), and
        // each /metrics must count its own work.
        foreach (var meter in new[] { ApiMetrics.MeterName, ExecutorMetrics.MeterName, StorageMetrics.MeterName })
        {
            builder.Metrics.EnableMetrics(meter, instrumentName: null, listenerName: null, MeterScope.Local);
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddView(instrument =>
                instrument.Meter.Name.StartsWith("ComputeSandbox.", StringComparison.Ordinal) && instrument.Unit == "s"
                    ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
                    : null)
            .AddPrometheusExporter(prometheus =>
            {
                // Every scrape is fresh (a test or an operator reads it right after the work), and the series carry
                // only their own labels: no otel_scope_* labels and no target_info family.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
            }));
        return builder;
    }

    /// <summary>Request ids (X-Request-Id) and the request counter: first, so every answer has both.</summary>
    public static IApplicationBuilder UseRequestContext(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestContextMiddleware>();
}
