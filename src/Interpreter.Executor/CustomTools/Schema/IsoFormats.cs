using System.Globalization;
using System.Text.RegularExpressions;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>
/// The ISO 8601 spellings the sandbox's converters accept (Python 3.11's <c>fromisoformat</c>, extended format,
/// and the harness's duration parser), so input the control plane lets through also converts in the sandbox.
/// </summary>
internal static partial class IsoFormats
{
    public static bool IsDate(string value) =>
        DatePattern().IsMatch(value)
        && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    public static bool IsTime(string value) => TimePattern().Match(value) is { Success: true } match && TimeInRange(match);

    public static bool IsDateTime(string value)
    {
        if (value.Length < 10 || !IsDate(value[..10]))
        {
            return false;
        }

        if (value.Length == 10)
        {
            return true;
        }

        return value[10] is 'T' or 't' or ' ' && IsTime(value[11..]);
    }

    public static bool IsDuration(string value) => DurationPattern().IsMatch(value);

    private static bool TimeInRange(Match match) =>
        int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture) < 24
        && (!match.Groups["m"].Success || int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) < 60)
        && (!match.Groups["s"].Success || int.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) < 60)
        && (!match.Groups["oh"].Success || int.Parse(match.Groups["oh"].Value, CultureInfo.InvariantCulture) < 24)
        && (!match.Groups["om"].Success || int.Parse(match.Groups["om"].Value, CultureInfo.InvariantCulture) < 60);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}\z")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^(?<h>\d{2})(?::(?<m>\d{2})(?::(?<s>\d{2})(?:[.,]\d{1,9})?)?)?(?:[Zz]|[+-](?<oh>\d{2})(?::?(?<om>\d{2})(?::?\d{2}(?:\.\d{1,6})?)?)?)?\z")]
    private static partial Regex TimePattern();

    // Weeks, days, hours, minutes, seconds; years and months have no fixed length, so timedelta cannot hold them.
    [GeneratedRegex(@"^[-+]?P(?!\z)(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?\z")]
    private static partial Regex DurationPattern();
}
