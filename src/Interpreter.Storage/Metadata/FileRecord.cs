namespace Interpreter.Storage.Metadata;

/// <summary>
/// Metadata of one stored file, per (chat, hash, filename). <see cref="RemainingDownloads"/> null means
/// unlimited; <see cref="ExpiresAt"/> null means it never expires. Times are UTC.
/// </summary>
public sealed record FileRecord(
    string ChatId,
    string Hash,
    string Filename,
    long Size,
    string ContentType,
    long? RemainingDownloads,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>The key of this record.</summary>
    public FileKey Key => new(ChatId, Hash, Filename);
}
