namespace Interpreter.Storage.Blobs;

/// <summary>
/// This process's own folder for files being written, <c>.internal/tmp/p-&lt;id&gt;/</c>, held by an exclusive lock
/// on its <c>lock</c> file for the life of the process. The kernel drops the lock when the process dies, however it
/// dies (kill -9 included), so a folder whose lock can be taken belongs to no live process: its files are what a
/// crash left and <see cref="DeleteAbandoned"/> removes them, while replicas sharing the storage folder keep the
/// uploads they have in flight.
/// </summary>
/// <remarks>
/// The lock is .NET's own: a <see cref="FileStream"/> opened with <see cref="FileShare.None"/> takes
/// <c>flock(LOCK_EX | LOCK_NB)</c> on Unix. The folder is created under a name the cleanup ignores and renamed
/// into place once locked, so no one can see it unlocked.
/// </remarks>
public sealed class ProcessTempFolder : IDisposable
{
    /// <summary>Prefix of the locked per-process folders.</summary>
    public const string Prefix = "p-";

    private const string LockFileName = "lock";
    private const string InitPrefix = ".init-";

    // A crash between creating and renaming a folder leaves it under its init name, which no live process keeps longer.
    private static readonly TimeSpan InitAge = TimeSpan.FromHours(1);

    private readonly FileStream _lock;
    private bool _disposed;

    private ProcessTempFolder(string path, FileStream held, bool locksHold)
    {
        Path = path;
        _lock = held;
        LocksHold = locksHold;
    }

    /// <summary>The folder this process writes its temporary files in.</summary>
    public string Path { get; }

    /// <summary>
    /// False when a second open of the held lock file succeeded: file locking is off (e.g.
    /// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>) or the file system ignores it, so no folder's lock says anything
    /// and <see cref="DeleteAbandoned"/> must not be used.
    /// </summary>
    public bool LocksHold { get; }

    /// <summary>Creates and locks a new folder under <paramref name="temp"/>.</summary>
    public static ProcessTempFolder Create(string temp)
    {
        Directory.CreateDirectory(temp);
        var id = Guid.NewGuid().ToString("N");
        var init = System.IO.Path.Combine(temp, InitPrefix + id);
        Directory.CreateDirectory(init);
        var held = TryLock(System.IO.Path.Combine(init, LockFileName), FileMode.CreateNew)
            ?? throw new IOException($"Could not lock the new temporary folder {init}.");
        try
        {
            bool locksHold;
            using (var second = TryLock(System.IO.Path.Combine(init, LockFileName), FileMode.Open))
            {
                locksHold = second is null;
            }

            var path = System.IO.Path.Combine(temp, Prefix + id);
            Directory.Move(init, path);
            return new ProcessTempFolder(path, held, locksHold);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes every per-process folder under <paramref name="temp"/> whose lock can be taken (its process is gone),
    /// and init folders older than an hour; returns how many files went with them.
    /// </summary>
    public static int DeleteAbandoned(string temp, DateTimeOffset now, string? own = null)
    {
        if (!Directory.Exists(temp))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var folder in new DirectoryInfo(temp).EnumerateDirectories())
        {
            if (folder.Name.StartsWith(Prefix, StringComparison.Ordinal) && folder.FullName != own)
            {
                using var held = TryLock(System.IO.Path.Combine(folder.FullName, LockFileName), FileMode.OpenOrCreate);
                if (held is not null)
                {
                    deleted += DeleteFolder(folder, keep: LockFileName);
                }
            }
            else if (folder.Name.StartsWith(InitPrefix, StringComparison.Ordinal) && folder.LastWriteTimeUtc < (now - InitAge).UtcDateTime)
            {
                deleted += DeleteFolder(folder, keep: null);
            }
        }

        return deleted;
    }

    /// <summary>Lets go of the lock and removes the folder (what is still in it is no upload any more).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next start-up or sweep removes it once the lock is gone.
        }

        _lock.Dispose();
    }

    private static FileStream? TryLock(string lockPath, FileMode mode)
    {
        try
        {
            return new FileStream(lockPath, mode, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            // Held by a live process (or, in a race, the folder went away meanwhile).
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Deletes the files in <paramref name="folder"/> and then the folder. The lock file goes last, while still held,
    /// so a process that just happens to open it finds nothing to protect.
    /// </summary>
    private static int DeleteFolder(DirectoryInfo folder, string? keep)
    {
        var deleted = 0;
        try
        {
            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.Name != keep)
                {
                    BlobStore.DeleteQuietly(file.FullName);
                    deleted++;
                }
            }

            folder.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tried again at the next sweep.
        }

        return deleted;
    }
}
