namespace Interpreter.Api.Features;

/// <summary>
/// Marks a validation failure as the body's own (not JSON, not an object, unreadable) rather than a field's, with the
/// status it is answered with: 400, or 415 for a body that is not JSON.
/// </summary>
internal sealed record RequestBodyFailure(int StatusCode)
{
    /// <summary>The status of the body failure among <paramref name="failures"/>, else 400.</summary>
    public static int StatusOf(IEnumerable<FluentValidation.Results.ValidationFailure> failures) =>
        failures.Select(f => f.CustomState).OfType<RequestBodyFailure>().FirstOrDefault()?.StatusCode
        ?? StatusCodes.Status400BadRequest;
}
