namespace Interpreter.Api.Access;

/// <summary>
/// 403 problem+json (PERMISSION_DENIED for gRPC calls) for endpoints marked with <see cref="SpawnAccessMetadata"/> when the
/// <see cref="SpawnAccessPolicy"/> says no. Runs before the body is read, so a refused upload costs nothing.
/// </summary>
internal sealed partial class SpawnGuardMiddleware(RequestDelegate next, SpawnAccessPolicy policy, ILogger<SpawnGuardMiddleware> logger)
{
    private const string RefusalDetail =
        "This client may not spawn work: its address is not in APP_INTERNAL_IP_ALLOWLIST and the "
        + "request host is not in APP_INTERNAL_HOST_ALLOWLIST (public spawn is disabled).";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<SpawnAccessMetadata>() is null)
        {
            await next(context);
            return;
        }

        var client = policy.ClientAddress(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"].ToString());
        if (policy.AllowsClient(client, context.Request.Host.Value))
        {
            await next(context);
            return;
        }

        LogRefused(context.Request.Path, client?.ToString() ?? "unknown");
        await Forbidden.WriteAsync(context, problems, RefusalDetail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} to client {ClientAddress}: not allowed to spawn")]
    private partial void LogRefused(PathString path, string clientAddress);
}
