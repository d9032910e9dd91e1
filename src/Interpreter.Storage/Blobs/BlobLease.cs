namespace Interpreter.Storage.Blobs;

/// <summary>Keeps the sweeper away from one blob until disposed.</summary>
public sealed class BlobLease : IDisposable, IAsyncDisposable
{
    private readonly BlobLeases _owner;
    private int _released;

    internal BlobLease(BlobLeases owner, string hash)
    {
        _owner = owner;
        Hash = hash;
    }

    /// <summary>The leased blob.</summary>
    public string Hash { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner.Release(Hash);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
