namespace Interpreter.Api.Features.Files.Expire;

/// <summary>Body of <c>POST /v1/expire</c>.</summary>
public sealed record ExpireRequest : IFileReference
{
    /// <inheritdoc />
    public string? ChatId { get; init; }

    /// <inheritdoc />
    public string? FileHash { get; init; }

    /// <inheritdoc />
    public string? Filename { get; init; }
}
