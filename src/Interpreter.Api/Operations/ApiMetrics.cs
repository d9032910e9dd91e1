using System.Diagnostics.Metrics;

namespace Interpreter.Api.Operations;

/// <summary>The HTTP surface's instruments on the <c>ComputeSandbox.Api</c> meter.</summary>
internal sealed class ApiMetrics
{
    public const string MeterName = "ComputeSandbox.Api";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _connectionsRefused;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("computesandbox.http.requests", null, "HTTP requests by endpoint and status.");
        _connectionsRefused = meter.CreateCounter<long>("computesandbox.http.connections.refused", null,
            "Connections closed right after the accept because their client held APP_MAX_CONNECTIONS_PER_CLIENT.");
    }

    // Kestrel accepts any token as a method: only the standard ones become label values, so a client sending made-up
    // methods cannot grow /metrics without bound.
    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    };

    public void RequestCompleted(string endpoint, string method, int status) =>
        _requests.Add(1,
            new KeyValuePair<string, object?>("endpoint", endpoint),
            new KeyValuePair<string, object?>("method", KnownMethods.Contains(method) ? method : "other"),
            new KeyValuePair<string, object?>("status", status));

    public void ConnectionRefused() => _connectionsRefused.Add(1);
}
