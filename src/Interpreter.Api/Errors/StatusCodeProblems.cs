namespace Interpreter.Api.Errors;

/// <summary>
/// Problem details that the framework writes with a title only (status-code pages for an unknown route or method, a
/// body that routing or Kestrel refused) get a detail that says what was wrong.
/// </summary>
internal static class StatusCodeProblems
{
    public const string BodyTimeout = "The request body did not arrive in time; send the whole body without pausing.";

    public const string BodyTooLarge = "The request body is larger than the limit (APP_MAX_REQUEST_BYTES).";

    public const string NotJson = "The request body must be JSON (Content-Type: application/json).";

    public const string BodyUnreadable =
        "The request body could not be read: it ended before its declared length, or its framing (Content-Length, chunked encoding) is invalid.";

    private const int MaxPathInMessage = 200;

    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }

        var request = context.HttpContext.Request;
        var path = request.Path.Value is { Length: > MaxPathInMessage } longPath ? longPath[..MaxPathInMessage] + "..." : request.Path.Value;
        var allowed = context.HttpContext.Response.Headers.Allow.ToString();
        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status400BadRequest => BodyUnreadable,
            StatusCodes.Status404NotFound => $"No endpoint answers {request.Method} {path}; the API is described at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => allowed.Length > 0
                ? $"{request.Method} is not allowed on {path}; use {allowed}."
                : $"{request.Method} is not allowed on {path}.",
            StatusCodes.Status408RequestTimeout => BodyTimeout,
            StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
            StatusCodes.Status415UnsupportedMediaType => NotJson,
            _ => null,
        };
    }
}
