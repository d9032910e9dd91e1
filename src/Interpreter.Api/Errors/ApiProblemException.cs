namespace Interpreter.Api.Errors;

/// <summary>A request that cannot be served, with the status and message the client should see.</summary>
internal sealed class ApiProblemException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;
}
