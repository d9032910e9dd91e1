namespace Interpreter.Api.Features.Files;

/// <summary>A body naming one stored file: <c>{chat_id, file_hash, filename}</c>.</summary>
public interface IFileReference
{
    /// <summary>Owner chat.</summary>
    string? ChatId { get; }

    /// <summary>SHA-256 of the content.</summary>
    string? FileHash { get; }

    /// <summary>The file's name as stored (upload name, or the base name of an output path).</summary>
    string? Filename { get; }
}
