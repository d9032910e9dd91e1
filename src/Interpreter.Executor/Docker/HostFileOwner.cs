using System.Runtime.InteropServices;

namespace Interpreter.Executor.Docker;

/// <summary>chown(2) for the files the service hands to a sandbox's uid (.NET has no managed chown).</summary>
internal static class HostFileOwner
{
    /// <summary>Gives <paramref name="path"/> to <paramref name="uid"/>:<paramref name="uid"/>; false when not allowed (not root).</summary>
    public static bool TryChown(string path, int uid) => chown(path, uid, uid) == 0;

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
}
