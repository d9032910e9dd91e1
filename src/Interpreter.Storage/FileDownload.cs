using Interpreter.Storage.Metadata;

namespace Interpreter.Storage;

/// <summary>A download that was granted: the row after the download was taken, and the open content.</summary>
public sealed class FileDownload(FileRecord file, Stream content) : IAsyncDisposable
{
    /// <summary>The file's metadata.</summary>
    public FileRecord File { get; } = file;

    /// <summary>The bytes; disposed with this object.</summary>
    public Stream Content { get; } = content;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
