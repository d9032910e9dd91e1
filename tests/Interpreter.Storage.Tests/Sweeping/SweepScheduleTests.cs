using Interpreter.Storage.Sweeping;
using Shouldly;

namespace Interpreter.Storage.Tests.Sweeping;

public sealed class SweepScheduleTests
{
    [Theory]
    [InlineData(0.2, "*/1 * * * * *")]
    [InlineData(1, "*/1 * * * * *")]
    [InlineData(7, "*/6 * * * * *")]
    [InlineData(30, "*/30 * * * * *")]
    [InlineData(60, "0 */1 * * * *")]
    [InlineData(90, "0 */1 * * * *")]
    [InlineData(900, "0 */15 * * * *")]
    [InlineData(7200, "0 0 */2 * * *")]
    [InlineData(86400, "0 0 0 * * *")]
    public void Cron_RoundsDownToAStepThatDividesItsField_WhenGivenAnInterval(double seconds, string expected)
    {
        var cron = SweepSchedule.Cron(TimeSpan.FromSeconds(seconds));

        cron.ShouldBe(expected);
    }
}
