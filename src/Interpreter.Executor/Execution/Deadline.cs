using System.Diagnostics;

namespace Interpreter.Executor.Execution;

/// <summary>A point in time (monotonic clock) by which something must be done, and how long is left until it.</summary>
internal readonly struct Deadline(TimeSpan from)
{
    private readonly long _at = Stopwatch.GetTimestamp() + (long)(from.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Time left; zero once the deadline has passed.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _at - Stopwatch.GetTimestamp();
            return left > 0 ? TimeSpan.FromSeconds((double)left / Stopwatch.Frequency) : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// True once the deadline has passed, or is so close that a timer set for it may have fired (timers round to
    /// whole milliseconds).
    /// </summary>
    public bool Passed => Remaining < TimeSpan.FromMilliseconds(50);
}
