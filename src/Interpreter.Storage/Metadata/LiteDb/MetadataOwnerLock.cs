namespace Interpreter.Storage.Metadata.LiteDb;

/// <summary>
/// Makes this process the only one that opens a LiteDB metadata file. LiteDB's direct mode (the fast one, chosen
/// by measurement, see docs/storage.md) corrupts the file when two processes open it, so every process first takes
/// an exclusive lock on <c>&lt;database&gt;.owner</c> (flock on Linux, released by the kernel when the process dies,
/// kill -9 included). A second process, e.g. a restart whose new instance starts before the old one has exited,
/// waits for the owner, then gives up with <see cref="MetadataOwnedElsewhereException"/>.
/// </summary>
internal sealed class MetadataOwnerLock : IDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _lock;

    private MetadataOwnerLock(FileStream held) => _lock = held;

    /// <summary>The lock file of <paramref name="databasePath"/>.</summary>
    public static string PathOf(string databasePath) => databasePath + ".owner";

    /// <summary>Takes the lock of <paramref name="databasePath"/>, waiting up to <paramref name="wait"/> for another owner.</summary>
    public static async Task<MetadataOwnerLock> AcquireAsync(string databasePath, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        var path = PathOf(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix: any other open of this file for locking fails.
                var held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                try
                {
                    held.SetLength(0);
                    var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    held.Write(pid);
                    held.Flush();
                }
                catch
                {
                    await held.DisposeAsync();
                    throw;
                }

                return new MetadataOwnerLock(held);
            }
            catch (IOException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(Retry, ct);
            }
            catch (IOException e)
            {
                throw new MetadataOwnedElsewhereException(databasePath, wait, e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
