namespace Interpreter.Storage.Blobs;

/// <summary>
/// Content written to a temporary file and hashed, not yet a blob. <see cref="BlobStore.CommitAsync"/> makes it
/// one; disposing it without committing deletes the temporary file.
/// </summary>
public sealed class StagedBlob : IAsyncDisposable
{
    internal StagedBlob(string tempPath, string hash, long size)
    {
        TempPath = tempPath;
        Hash = hash;
        Size = size;
    }

    /// <summary>Lowercase hex SHA-256 of the content.</summary>
    public string Hash { get; }

    /// <summary>Length of the content in bytes.</summary>
    public long Size { get; }

    internal string TempPath { get; }

    internal bool Committed { get; set; }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!Committed)
        {
            BlobStore.DeleteQuietly(TempPath);
        }

        return ValueTask.CompletedTask;
    }
}
