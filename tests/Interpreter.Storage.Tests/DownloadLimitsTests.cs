using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class DownloadLimitsTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, 250, TimeSpan.Zero);

    [Theory]
    [InlineData(null, 0L, null)]
    [InlineData(null, 3L, 3L)]
    [InlineData(0L, 3L, null)]
    [InlineData(2L, 0L, 2L)]
    public void RemainingDownloads_FollowsRequestThenGlobalDefault_WhenComputed(long? requested, long global, long? expected)
    {
        new DownloadLimits(MaxDownloads: requested).RemainingDownloads(global).ShouldBe(expected);
    }

    [Fact]
    public void ExpiresAt_AddsDaysAndSecondsRoundedUp_WhenBothGiven()
    {
        var at = new DownloadLimits(ExpiresDays: 1, ExpiresSeconds: 30).ExpiresAt(Now);

        at.ShouldBe(new DateTimeOffset(2030, 1, 2, 12, 0, 31, TimeSpan.Zero));
    }

    [Fact]
    public void ExpiresAt_IsNull_WhenNothingOrZeroAsked()
    {
        DownloadLimits.Default.ExpiresAt(Now).ShouldBeNull();
        new DownloadLimits(ExpiresDays: 0, ExpiresSeconds: 0).ExpiresAt(Now).ShouldBeNull();
    }
}
