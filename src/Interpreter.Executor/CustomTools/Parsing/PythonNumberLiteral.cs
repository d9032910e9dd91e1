using System.Globalization;
using System.Numerics;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>Values of Python number tokens: ints in any base with underscores, and finite floats.</summary>
internal static class PythonNumberLiteral
{
    public static bool TryParseInteger(string token, out BigInteger value)
    {
        value = BigInteger.Zero;
        var text = token.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var (digits, radix) = text switch
        {
            ['0', 'x', .. var rest] => (rest, 16),
            ['0', 'o', .. var rest] => (rest, 8),
            ['0', 'b', .. var rest] => (rest, 2),
            _ => (text, 10),
        };
        if (digits.Length == 0)
        {
            return false;
        }

        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return false;
            }

            value = (value * radix) + digit;
        }

        return true;
    }

    public static bool TryParseFloat(string token, out double value)
    {
        value = 0;
        var text = token.Replace("_", "", StringComparison.Ordinal);
        if (text.EndsWith('j') || text.EndsWith('J') || text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}
