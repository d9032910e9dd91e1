namespace Interpreter.Api.Features.Execute;

/// <summary>Download limits of one output file: null means unlimited / no expiry.</summary>
public sealed record FileMetadataResponse(long? RemainingDownloads, string? ExpiresAt);
