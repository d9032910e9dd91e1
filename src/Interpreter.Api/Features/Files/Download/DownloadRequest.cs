namespace Interpreter.Api.Features.Files.Download;

/// <summary>Body of <c>POST /v1/download</c>.</summary>
public sealed record DownloadRequest : IFileReference
{
    /// <inheritdoc />
    public string? ChatId { get; init; }

    /// <inheritdoc />
    public string? FileHash { get; init; }

    /// <inheritdoc />
    public string? Filename { get; init; }
}
