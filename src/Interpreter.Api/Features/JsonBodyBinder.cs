using System.Text;
using System.Text.Json;
using FastEndpoints;
using FluentValidation.Results;
using Interpreter.Api.Errors;
using Microsoft.Net.Http.Headers;

namespace Interpreter.Api.Features;

/// <summary>
/// Binds a request DTO from its JSON body and nothing else (no route, query or header values), turning every way a
/// body can be wrong into a validation failure that names the problem in JSON terms: the endpoint then answers it like
/// any other failed rule, in its own error shape.
/// </summary>
/// <remarks>
/// <paramref name="decodeCharset"/>: decode by the Content-Type charset (the problem+json endpoints; an unknown one is
/// a 415, as decoding by it would throw an error that is not a bad request), or read UTF-8 whatever the label says (the
/// custom-tool endpoints, as the reference service does).
/// </remarks>
internal class JsonBodyBinder<TRequest>(bool decodeCharset) : IRequestBinder<TRequest>
    where TRequest : class
{
    private const int MaxCharsetInMessage = 64;

    public async ValueTask<TRequest> BindAsync(BinderContext ctx, CancellationToken ct)
    {
        var request = ctx.HttpContext.Request;
        if (!request.HasJsonContentType())
        {
            throw Failed(ctx, StatusCodes.Status415UnsupportedMediaType, StatusCodeProblems.NotJson);
        }

        if (decodeCharset && UnknownCharset(request.ContentType) is { } charset)
        {
            var shown = charset is { Length: > MaxCharsetInMessage } ? charset[..MaxCharsetInMessage] + "..." : charset;
            throw Failed(ctx, StatusCodes.Status415UnsupportedMediaType,
                $"The Content-Type charset '{shown}' is not a known encoding; send the JSON body as UTF-8.");
        }

        TRequest? value;
        try
        {
            value = decodeCharset
                ? await request.ReadFromJsonAsync<TRequest>(ctx.SerializerOptions, ct)
                : await JsonSerializer.DeserializeAsync<TRequest>(request.Body, ctx.SerializerOptions, ct);
        }
        catch (JsonException e)
        {
            throw Failed(ctx, StatusCodes.Status400BadRequest, JsonErrors.Describe(e));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status400BadRequest)
        {
            // A body cut short or badly chunked is a malformed request; 408 and 413 stay the exception handler's.
            throw Failed(ctx, StatusCodes.Status400BadRequest, decodeCharset
                ? StatusCodeProblems.BodyUnreadable
                : $"The request body could not be read: {e.Message}");
        }

        return value ?? throw Failed(ctx, StatusCodes.Status400BadRequest, JsonErrors.NotAnObject);
    }

    private static string? UnknownCharset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.Charset.HasValue)
        {
            return null;
        }

        var charset = HeaderUtilities.RemoveQuotes(type.Charset).Value;
        try
        {
            return !string.IsNullOrWhiteSpace(charset) && Encoding.GetEncoding(charset) is not null ? null : charset ?? "";
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }

    private static ValidationFailureException Failed(BinderContext ctx, int status, string message)
    {
        ctx.ValidationFailures.Add(new ValidationFailure("", message) { CustomState = new RequestBodyFailure(status) });
        return new ValidationFailureException(ctx.ValidationFailures, "The request body could not be bound.");
    }
}
