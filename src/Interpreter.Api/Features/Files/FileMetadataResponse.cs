using System.Globalization;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files;

/// <summary>Download limits of one stored file: null means unlimited / no expiry. <c>expires_at</c> is ISO-8601 UTC with Z.</summary>
public sealed record FileMetadataResponse(long? RemainingDownloads, string? ExpiresAt)
{
    /// <summary>The limits of <paramref name="file"/> as clients see them.</summary>
    public static FileMetadataResponse From(FileRecord file) => new(
        file.RemainingDownloads,
        file.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
