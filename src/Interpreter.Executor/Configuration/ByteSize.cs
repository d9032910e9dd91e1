using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Interpreter.Executor.Configuration;

/// <summary>
/// A size in bytes written the way Kubernetes quantities are (<c>1Gi</c>, <c>512Mi</c>, <c>64M</c>, <c>1048576</c>),
/// so one value such as APP_WORKSPACE_SIZE_LIMIT means the same on the Docker and the Kubernetes backend.
/// </summary>
[TypeConverter(typeof(ByteSizeConverter))]
public readonly partial record struct ByteSize(long Bytes)
{
    private static readonly Dictionary<string, long> Multipliers = new(StringComparer.Ordinal)
    {
        [""] = 1,
        ["k"] = 1000, ["K"] = 1000, ["M"] = 1000_000, ["G"] = 1000_000_000, ["T"] = 1000_000_000_000,
        ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["Ti"] = 1L << 40,
    };

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the accepted forms.</summary>
    public static ByteSize Parse(string text)
    {
        if (TryParse(text, out var size))
        {
            return size;
        }

        throw new FormatException(
            $"'{text}' is not a size: use a whole number of bytes with an optional suffix k, M, G, T, Ki, Mi, Gi or Ti (e.g. 512Mi, 1Gi).");
    }

    /// <summary>Parses a size; false when the text is not one.</summary>
    public static bool TryParse(string? text, out ByteSize size)
    {
        size = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = SizePattern().Match(text.Trim());
        if (!match.Success
            || !long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !Multipliers.TryGetValue(match.Groups["unit"].Value, out var multiplier))
        {
            return false;
        }

        try
        {
            size = new ByteSize(checked(number * multiplier));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>The Kubernetes quantity form, e.g. <c>1Gi</c> for 1073741824 bytes.</summary>
    public override string ToString()
    {
        foreach (var (suffix, unit) in new[] { ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10) })
        {
            if (Bytes != 0 && Bytes % unit == 0)
            {
                return (Bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return Bytes.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<n>[0-9]{1,19})(?<unit>[A-Za-z]{0,2})\z")]
    private static partial Regex SizePattern();
}
