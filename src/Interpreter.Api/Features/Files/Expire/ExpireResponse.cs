namespace Interpreter.Api.Features.Files.Expire;

/// <summary>Answer of <c>POST /v1/expire</c>.</summary>
public sealed record ExpireResponse(bool Success);
