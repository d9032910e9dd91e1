namespace Interpreter.Api.Features.CustomTools;

/// <summary>A JSON request body read by hand: the <see cref="Value"/>, or the status and message to answer with.</summary>
internal sealed record RequestBody<T>(T? Value, int StatusCode, string? Error)
    where T : class;
