namespace Interpreter.Storage;

/// <summary>
/// Limits a client asks for: <c>max_downloads</c> (absent: APP_GLOBAL_MAX_DOWNLOADS; 0: unlimited) and
/// <c>expires_days</c> + <c>expires_seconds</c> (added together; absent or 0: never).
/// </summary>
public sealed record DownloadLimits(long? MaxDownloads = null, long? ExpiresDays = null, long? ExpiresSeconds = null)
{
    /// <summary>No limit asked for.</summary>
    public static DownloadLimits Default { get; } = new();

    /// <summary>Downloads left for a new file; null means unlimited.</summary>
    public long? RemainingDownloads(long globalMaxDownloads) => (MaxDownloads ?? globalMaxDownloads) switch
    {
        <= 0 => null,
        var n => n,
    };

    /// <summary>When a file created at <paramref name="now"/> expires (rounded up to a whole second); null for never.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset now)
    {
        var seconds = (ExpiresDays ?? 0) * 86_400 + (ExpiresSeconds ?? 0);
        if (seconds <= 0)
        {
            return null;
        }

        var at = now.ToUniversalTime().AddSeconds(seconds);
        var wholeSeconds = at.ToUnixTimeSeconds() + (at.ToUnixTimeMilliseconds() % 1000 == 0 ? 0 : 1);
        return DateTimeOffset.FromUnixTimeSeconds(wholeSeconds);
    }
}
