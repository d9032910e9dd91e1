namespace Interpreter.Storage.Sweeping;

/// <summary>
/// APP_FILE_SWEEP_INTERVAL_SECONDS as a Hangfire (Cronos, with seconds) cron expression. Cron steps must divide
/// their field, so the interval is rounded to whole seconds (at least 1) and then down to the nearest step that
/// does: 7 s sweeps every 6 s, 90 s every minute, 2 h every 2 hours.
/// </summary>
public static class SweepSchedule
{
    private static readonly int[] Divisors60 = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30];
    private static readonly int[] Divisors24 = [1, 2, 3, 4, 6, 8, 12];

    /// <summary>The cron expression for <paramref name="interval"/>.</summary>
    public static string Cron(TimeSpan interval)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(interval.TotalSeconds));
        if (seconds < 60)
        {
            return $"*/{Step(Divisors60, seconds)} * * * * *";
        }

        var minutes = seconds / 60;
        if (minutes < 60)
        {
            return $"0 */{Step(Divisors60, minutes)} * * * *";
        }

        var hours = minutes / 60;
        return hours < 24 ? $"0 0 */{Step(Divisors24, hours)} * * *" : "0 0 0 * * *";
    }

    private static int Step(int[] divisors, long wanted) => divisors.Last(d => d <= wanted);
}
