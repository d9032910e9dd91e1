using System.Text.Json;
using Interpreter.Api.Errors;

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
                ? new RequestBody<T>(null, StatusCodes.Status400BadRequest, JsonErrors.NotAnObject)
                : new RequestBody<T>(value, StatusCodes.Status200OK, null);
        }
        catch (JsonException e)
        {
            return new RequestBody<T>(null, StatusCodes.Status400BadRequest, JsonErrors.Describe(e));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status400BadRequest)
        {
            // A body cut short or badly chunked is a malformed request too; 408 and 413 stay the handler's problems.
            return new RequestBody<T>(null, StatusCodes.Status400BadRequest, $"The request body could not be read: {e.Message}");
        }
    }
}
