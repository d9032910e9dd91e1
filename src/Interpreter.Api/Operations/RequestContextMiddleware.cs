using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Interpreter.Api.Operations;

/// <summary>
/// Gives every request an id (the caller's <c>X-Request-Id</c> when it is well-formed, else a new one),
/// returns it as a response header, puts it in the logging scope, and counts the request by endpoint and status.
/// </summary>
internal sealed partial class RequestContextMiddleware(RequestDelegate next, ApiMetrics metrics, ILogger<RequestContextMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var requestId = IsClientRequestId(incoming) ? incoming : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId });
        try
        {
            await next(context);
        }
        finally
        {
            var endpoint = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RequestCompleted(endpoint, context.Request.Method, context.Response.StatusCode);
            LogCompleted(context.Request.Method, endpoint, context.Response.StatusCode);
        }
    }

    /// <summary>A caller's request id worth keeping: 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-', nothing after.</summary>
    internal static bool IsClientRequestId(string value) => RequestIdPattern().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}\z")]
    private static partial Regex RequestIdPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Endpoint} answered {StatusCode}")]
    private partial void LogCompleted(string method, string endpoint, int statusCode);
}
