namespace Interpreter.Storage.Blobs;

/// <summary>A blob on disk as the sweeper sees it.</summary>
public sealed record BlobEntry(string Hash, long Size, DateTimeOffset LastWrite);
