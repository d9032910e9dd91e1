using System.Globalization;
using System.Text;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// The value of one string token: prefixes (r, b, f, u in any case and order), single or triple quotes and the
/// escape sequences Python knows. f-strings are recognised but never evaluated. <c>\N{name}</c> is kept as written.
/// </summary>
internal sealed record PythonStringLiteral(string Value, byte[]? Bytes, bool IsFormatted)
{
    /// <summary>True for a b'' literal; its value is in <see cref="Bytes"/>.</summary>
    public bool IsBytes => Bytes is not null;

    /// <summary>Decodes the text of a <see cref="PythonTokenKind.String"/> token.</summary>
    public static PythonStringLiteral Decode(string token)
    {
        var quoteAt = token.IndexOfAny(['\'', '"']);
        var prefix = token[..quoteAt].ToLowerInvariant();
        var isRaw = prefix.Contains('r', StringComparison.Ordinal);
        var isBytes = prefix.Contains('b', StringComparison.Ordinal);
        var isFormatted = prefix.Contains('f', StringComparison.Ordinal);
        var quoteLength = token.Length - quoteAt >= 6 && token[quoteAt + 1] == token[quoteAt] && token[quoteAt + 2] == token[quoteAt] ? 3 : 1;
        var body = token[(quoteAt + quoteLength)..^quoteLength];
        var value = isRaw ? body : Unescape(body, isBytes);
        return new PythonStringLiteral(value, isBytes ? value.Select(c => (byte)c).ToArray() : null, isFormatted);
    }

    private static string Unescape(string body, bool isBytes)
    {
        if (!body.Contains('\\', StringComparison.Ordinal))
        {
            return body;
        }

        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                text.Append(c);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case '\n': break;
                case '\\' or '\'' or '"': text.Append(next); break;
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case >= '0' and <= '7':
                    var octal = next - '0';
                    for (var n = 0; n < 2 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7'; n++)
                    {
                        octal = (octal * 8) + (body[++i] - '0');
                    }

                    text.Append((char)(isBytes ? octal & 0xFF : octal));
                    break;
                case 'x' when TryHex(body, i + 1, 2, out var hex):
                    text.Append((char)hex);
                    i += 2;
                    break;
                case 'u' when !isBytes && TryHex(body, i + 1, 4, out var bmp):
                    text.Append((char)bmp);
                    i += 4;
                    break;
                case 'U' when !isBytes && TryHex(body, i + 1, 8, out var astral) && astral is <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF):
                    text.Append(char.ConvertFromUtf32(astral));
                    i += 8;
                    break;
                default:
                    text.Append('\\').Append(next);
                    break;
            }
        }

        return text.ToString();
    }

    private static bool TryHex(string body, int start, int length, out int value)
    {
        value = 0;
        return start + length <= body.Length
            && int.TryParse(body.AsSpan(start, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
