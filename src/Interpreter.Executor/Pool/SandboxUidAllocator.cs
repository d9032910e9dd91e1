using System.Globalization;
using Interpreter.Executor.Configuration;

namespace Interpreter.Executor.Pool;

/// <summary>
/// The host uids of live sandboxes, from APP_EXECUTOR_SANDBOX_UIDS: each live sandbox runs under a uid of its
/// own, so the kernel's per-uid limits (inotify instances and watches, POSIX message-queue bytes, RLIMIT_NPROC,
/// ...) are never shared by two sandboxes, and no sandbox is the uid of a real user. A uid returns when its
/// sandbox is destroyed and is handed out round-robin, so the one returned last is used again last. No live
/// uid is ever handed out twice: when all are taken, <see cref="Rent"/> fails.
/// </summary>
public sealed class SandboxUidAllocator
{
    /// <summary>The default range: well above normal users and the usual subordinate-uid ranges.</summary>
    public const string DefaultRange = "2000000000-2000065535";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly HashSet<int> _inUse = [];
    private int _next;

    /// <summary>An allocator over the uids <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public SandboxUidAllocator(int first, int last)
    {
        First = first;
        Last = last;
        _next = first;
    }

    /// <summary>The lowest uid handed out.</summary>
    public int First { get; }

    /// <summary>The highest uid handed out.</summary>
    public int Last { get; }

    /// <summary>How many uids live sandboxes hold.</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>The allocator of APP_EXECUTOR_SANDBOX_UIDS.</summary>
    public static SandboxUidAllocator FromOptions(ExecutorOptions options)
    {
        var (first, last) = Parse(options.SandboxUids);
        return new SandboxUidAllocator(first, last);
    }

    /// <summary>Parses <c>first-last</c>; throws <see cref="FormatException"/> naming the variable.</summary>
    public static (int First, int Last) Parse(string? text)
    {
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && first >= 1 && first <= last)
        {
            return (first, last);
        }

        throw new FormatException(
            $"APP_EXECUTOR_SANDBOX_UIDS must be a uid range 'first-last' with 1 <= first <= last <= 2147483647 (e.g. '{DefaultRange}'), got '{text}'.");
    }

    /// <summary>Gives the sandbox <paramref name="name"/> a uid no live sandbox has.</summary>
    public int Rent(string name)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(name, out var held))
            {
                return held;
            }

            var size = (long)Last - First + 1;
            if (_inUse.Count >= size)
            {
                throw new SandboxStartException(
                    $"All {size} sandbox uids of APP_EXECUTOR_SANDBOX_UIDS ({First}-{Last}) belong to live sandboxes; "
                    + "widen the range (it must hold at least APP_EXECUTOR_MAX_SANDBOXES uids).");
            }

            while (_inUse.Contains(_next))
            {
                Advance();
            }

            var uid = _next;
            Advance();
            _inUse.Add(uid);
            _byName[name] = uid;
            return uid;
        }
    }

    /// <summary>Takes back the uid of the sandbox <paramref name="name"/>, which no longer exists.</summary>
    public void Return(string name)
    {
        lock (_gate)
        {
            if (_byName.Remove(name, out var uid))
            {
                _inUse.Remove(uid);
            }
        }
    }

    private void Advance() => _next = _next == Last ? First : _next + 1;
}
