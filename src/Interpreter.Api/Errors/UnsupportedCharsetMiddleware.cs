using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Interpreter.Api.Errors;

/// <summary>
/// 415 problem+json for a JSON body whose Content-Type names a charset .NET does not know, on endpoints whose body
/// the JSON binder decodes by its charset: decoding by an unknown one throws an error that is not a bad request (a
/// 500). The custom-tool endpoints (which take any Content-Type) read UTF-8 whatever the label says and are left alone.
/// </summary>
internal sealed class UnsupportedCharsetMiddleware(RequestDelegate next)
{
    private const int MaxCharsetInMessage = 64;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts
            && accepts.ContentTypes.Contains("application/json", StringComparer.OrdinalIgnoreCase)
            && !accepts.ContentTypes.Contains("*/*", StringComparer.Ordinal)
            && MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && type.Charset.HasValue
            && HeaderUtilities.RemoveQuotes(type.Charset).Value is var charset
            && !IsKnown(charset))
        {
            var shown = charset is { Length: > MaxCharsetInMessage } ? charset[..MaxCharsetInMessage] + "..." : charset;
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "Unsupported media type",
                    Detail = $"The Content-Type charset '{shown}' is not a known encoding; send the JSON body as UTF-8.",
                },
            });
            return;
        }

        await next(context);
    }

    private static bool IsKnown(string? charset)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(charset) && Encoding.GetEncoding(charset) is not null;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
