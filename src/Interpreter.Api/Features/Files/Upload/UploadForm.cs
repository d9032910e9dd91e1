using Interpreter.Storage.Blobs;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>
/// The fields of a <c>POST /v1/upload</c> form, with the file already streamed to a temporary place while
/// hashed. Disposing it drops the file unless it was saved.
/// </summary>
public sealed record UploadForm : IAsyncDisposable
{
    /// <summary>Owner chat.</summary>
    public string? ChatId { get; init; }

    /// <summary>The file's name from its part's Content-Disposition.</summary>
    public string? Filename { get; init; }

    /// <summary>Downloads allowed (0 = unlimited; absent = APP_GLOBAL_MAX_DOWNLOADS).</summary>
    public long? MaxDownloads { get; init; }

    /// <summary>Days until the file expires.</summary>
    public long? ExpiresDays { get; init; }

    /// <summary>Seconds until the file expires (added to the days).</summary>
    public long? ExpiresSeconds { get; init; }

    /// <summary>The uploaded bytes, hashed; null when the form had no <c>upload</c> part.</summary>
    public StagedBlob? File { get; init; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => File?.DisposeAsync() ?? ValueTask.CompletedTask;
}
