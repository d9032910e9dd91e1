namespace Interpreter.Storage.Blobs;

/// <summary>
/// In-process reference counts of blobs in use (an upload being registered, an execution reading its inputs or
/// storing its outputs). The sweeper deletes a blob only through <see cref="TryBeginDelete"/>, which refuses a
/// leased blob and makes new leases of it wait until the deletion is over, so a writer that finds the blob gone
/// afterwards simply writes it again.
/// </summary>
public sealed class BlobLeases
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _deleting = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Takes a lease of <paramref name="hash"/>; waits while the sweeper is deleting that blob.</summary>
    public async Task<BlobLease> AcquireAsync(string hash, CancellationToken ct)
    {
        while (true)
        {
            Task deletion;
            lock (_lock)
            {
                if (!_deleting.TryGetValue(hash, out var pending))
                {
                    _counts[hash] = _counts.GetValueOrDefault(hash) + 1;
                    return new BlobLease(this, hash);
                }

                deletion = pending.Task;
            }

            await deletion.WaitAsync(ct);
        }
    }

    /// <summary>True while at least one lease of <paramref name="hash"/> is held.</summary>
    public bool IsLeased(string hash)
    {
        lock (_lock)
        {
            return _counts.ContainsKey(hash);
        }
    }

    /// <summary>
    /// Exclusive right to delete <paramref name="hash"/>, or null when it is leased. Leases asked for meanwhile
    /// wait until the returned handle is disposed.
    /// </summary>
    internal IDisposable? TryBeginDelete(string hash)
    {
        lock (_lock)
        {
            if (_counts.ContainsKey(hash) || _deleting.ContainsKey(hash))
            {
                return null;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _deleting[hash] = done;
            return new DeletionScope(this, hash, done);
        }
    }

    internal void Release(string hash)
    {
        lock (_lock)
        {
            var count = _counts[hash] - 1;
            if (count == 0)
            {
                _counts.Remove(hash);
            }
            else
            {
                _counts[hash] = count;
            }
        }
    }

    private void EndDelete(string hash, TaskCompletionSource done)
    {
        lock (_lock)
        {
            _deleting.Remove(hash);
        }

        done.TrySetResult();
    }

    private sealed class DeletionScope(BlobLeases owner, string hash, TaskCompletionSource done) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndDelete(hash, done);
            }
        }
    }
}
