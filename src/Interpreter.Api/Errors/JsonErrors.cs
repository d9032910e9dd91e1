using System.Text.Json;

namespace Interpreter.Api.Errors;

/// <summary>
/// A System.Text.Json failure as a client-facing sentence: a syntax error says the body is not valid JSON and where;
/// a value of the wrong type names the field and what it must be in JSON terms, never a .NET type.
/// </summary>
internal static class JsonErrors
{
    public const string NotAnObject = "The request body must be a JSON object.";

    public static string Describe(JsonException e)
    {
        var sentence = FirstSentence(e.Message);
        var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;

        // A syntax error comes from the reader (a JsonException subclass, possibly wrapped to add the path);
        // a value of the wrong type is a plain JsonException of its own.
        if (e.GetType() != typeof(JsonException) || e.InnerException is JsonException)
        {
            if (sentence.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
            {
                return "The request body is empty; send a JSON object.";
            }

            return field is null
                ? $"The request body is not valid JSON: {sentence}"
                : $"The request body is not valid JSON (at '{field}'): {sentence}";
        }

        if (field is null)
        {
            return NotAnObject;
        }

        // Invalid UTF-8 or a lone surrogate inside a string surfaces as a conversion failure with the reader's reason inside.
        if (e.InnerException is InvalidOperationException text && text.Message.Contains("UTF-", StringComparison.Ordinal))
        {
            return $"The field '{field}' is not valid text: {text.Message}";
        }

        var expected = !sentence.Contains("could not be converted to", StringComparison.Ordinal) ? null
            : sentence.Contains("Dictionary", StringComparison.Ordinal) ? "an object whose values are strings"
            : sentence.Contains("System.String", StringComparison.Ordinal) ? "a string"
            : sentence.Contains("System.Int64", StringComparison.Ordinal) ? "a whole number that fits in 64 bits"
            : sentence.Contains("System.Int32", StringComparison.Ordinal) ? "a whole number that fits in 32 bits"
            : sentence.Contains("System.Boolean", StringComparison.Ordinal) ? "true or false"
            : null;
        return expected is null
            ? $"The field '{field}' has an invalid value or type: {sentence}"
            : $"The field '{field}' must be {expected}.";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
