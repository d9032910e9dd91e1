namespace Interpreter.Storage.Metadata;

/// <summary>What a chat's live files occupy: their bytes (each row counted) and how many there are.</summary>
public sealed record ChatUsage(long Bytes, long Files);
