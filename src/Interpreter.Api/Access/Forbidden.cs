namespace Interpreter.Api.Access;

/// <summary>
/// The one way the access guards refuse a request: 403 problem+json naming why, or, for a gRPC call, a trailers-only
/// response with PERMISSION_DENIED and the same message.
/// </summary>
internal static class Forbidden
{
    public static async Task WriteAsync(HttpContext context, IProblemDetailsService problems, string detail)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "7";
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(detail);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Forbidden",
                Detail = detail,
            },
        });
    }
}
