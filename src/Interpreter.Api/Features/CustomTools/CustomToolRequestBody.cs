using System.Text.Json;

namespace Interpreter.Api.Features.CustomTools;

/// <summary>
/// Reads a custom-tool request body without minimal-API binding, so a malformed body is answered in the endpoint's
/// own error shape (API.md: clients parse <c>error_messages</c> / <c>stderr</c>) instead of problem+json.
/// A body over APP_MAX_REQUEST_BYTES still surfaces as Kestrel's 413, which the exception handler answers.
/// </summary>
internal static class CustomToolRequestBody
{
    public static async Task<RequestBody<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken ct)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return new RequestBody<T>(null, StatusCodes.Status415UnsupportedMediaType,
                "The request body must be JSON (Content-Type: application/json).");
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct);
            return value is null
                ? new RequestBody<T>(null, StatusCodes.Status400BadRequest, "The request body must be a JSON object.")
                : new RequestBody<T>(value, StatusCodes.Status200OK, null);
        }
        catch (JsonException e)
        {
            return new RequestBody<T>(null, StatusCodes.Status400BadRequest, Describe(e));
        }
    }

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        var sentence = end > 0 ? message[..end] : message;

        // A syntax error comes from the reader (a JsonException subclass, possibly wrapped to add the path);
        // a value of the wrong type is a plain JsonException of its own.
        if (e.GetType() != typeof(JsonException) || e.InnerException is JsonException)
        {
            return sentence.Contains("does not contain any JSON tokens", StringComparison.Ordinal)
                ? "The request body is empty; send a JSON object."
                : $"The request body is not valid JSON: {sentence}";
        }

        if (e.Path is not { Length: > 2 } path)
        {
            return "The request body must be a JSON object.";
        }

        // Say what the field must be in JSON terms rather than naming a .NET type.
        var field = path[2..];
        var expected = sentence.Contains("Dictionary", StringComparison.Ordinal) ? "an object whose values are strings"
            : sentence.Contains("System.String", StringComparison.Ordinal) ? "a string"
            : null;
        return expected is null
            ? $"The field '{field}' has an invalid value or type: {sentence}"
            : $"The field '{field}' must be {expected}.";
    }
}
