using Interpreter.Storage.Blobs;

namespace Interpreter.Storage;

/// <summary>A blob held for reading (an execution's input): the sweeper leaves it alone until this is disposed.</summary>
public sealed class LeasedFile : IAsyncDisposable
{
    private readonly BlobStore _blobs;
    private readonly BlobLease _lease;

    internal LeasedFile(BlobStore blobs, BlobLease lease, long size)
    {
        _blobs = blobs;
        _lease = lease;
        Size = size;
    }

    /// <summary>SHA-256 of the content.</summary>
    public string Hash => _lease.Hash;

    /// <summary>Length in bytes.</summary>
    public long Size { get; }

    /// <summary>Opens the content; the caller disposes the stream.</summary>
    public Stream OpenRead() =>
        _blobs.OpenRead(Hash) ?? throw new FileNotFoundException($"Blob {Hash} disappeared while leased.");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
