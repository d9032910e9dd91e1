using System.Text;

namespace Interpreter.Api.Features.Files.Download;

/// <summary>
/// <c>Content-Disposition: attachment</c> per RFC 6266: a quoted ASCII <c>filename</c> for old clients and an
/// RFC 5987 <c>filename*</c> carrying the exact UTF-8 name.
/// </summary>
internal static class ContentDisposition
{
    public static string Attachment(string filename)
    {
        var fallback = new StringBuilder(filename.Length);
        foreach (var c in filename)
        {
            // Quotes, backslashes and '%' are left out of the quoted form: some clients unescape or decode them.
            fallback.Append(c is >= ' ' and <= '~' and not ('"' or '\\' or '%') ? c : '_');
        }

        var encoded = new StringBuilder(filename.Length);
        foreach (var b in Encoding.UTF8.GetBytes(filename))
        {
            if (IsAttrChar(b))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return $"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}";
    }

    // RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    private static bool IsAttrChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.'
            or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
