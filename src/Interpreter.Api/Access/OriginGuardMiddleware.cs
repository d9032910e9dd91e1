namespace Interpreter.Api.Access;

/// <summary>
/// 403 problem+json, before the body is read, for a request that may change state or spawn work (any method but
/// GET, HEAD and OPTIONS) whose Origin header names an origin <see cref="OriginPolicy"/> does not allow.
/// </summary>
internal sealed partial class OriginGuardMiddleware(RequestDelegate next, OriginPolicy policy, ILogger<OriginGuardMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || !request.Headers.TryGetValue("Origin", out var values)
            || policy.Allows(values.ToString(), request.Scheme, request.Host))
        {
            await next(context);
            return;
        }

        LogRefused(request.Path);
        await Forbidden.WriteAsync(context, problems,
            "Requests from this browser Origin are refused: it is neither this service's own origin nor in APP_ALLOWED_ORIGINS.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path}: its Origin is not allowed")]
    private partial void LogRefused(PathString path);
}
