namespace Interpreter.Api.Features.Operations;

/// <summary>Body of the health endpoints.</summary>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string>? Checks);
