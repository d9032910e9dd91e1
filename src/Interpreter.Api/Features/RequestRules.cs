using System.Text;
using System.Text.RegularExpressions;

namespace Interpreter.Api.Features;

/// <summary>Patterns and checks that API.md applies to several endpoints.</summary>
internal static partial class RequestRules
{
    public const string DefaultChatId = "default";

    public const int MaxWorkspacePathBytes = 4096;

    [GeneratedRegex(@"^[0-9A-Za-z_-]{1,255}\z")]
    public static partial Regex ChatId();

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    public static partial Regex Sha256Hex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    public static partial Regex EnvName();

    [GeneratedRegex(@"^[0-9A-Za-z._-]{1,255}\z")]
    private static partial Regex UploadFilenamePattern();

    /// <summary>An absolute, normalised path strictly under /workspace/ with no '..', NUL or empty segment.</summary>
    public static bool IsWorkspacePath(string? path)
    {
        if (string.IsNullOrEmpty(path)
            || !path.StartsWith("/workspace/", StringComparison.Ordinal)
            || path.Contains('\0', StringComparison.Ordinal)
            || Encoding.UTF8.GetByteCount(path) > MaxWorkspacePathBytes
            || path.EndsWith('/'))
        {
            return false;
        }

        return path.Split('/').Skip(1).All(segment => segment is not ("" or "." or ".."));
    }

    /// <summary>An uploaded file's name: <c>^[0-9A-Za-z._-]{1,255}$</c>, and not '.' or '..'.</summary>
    public static bool IsUploadFilename(string? name) =>
        name is not null and not ("." or "..") && UploadFilenamePattern().IsMatch(name);

    /// <summary>
    /// A name a stored file can have: an upload's, or the base name of an output path (any characters but '/'
    /// and NUL, at most 255 bytes).
    /// </summary>
    public static bool IsStoredFilename(string? name) =>
        !string.IsNullOrEmpty(name)
        && name is not ("." or "..")
        && !name.Contains('/', StringComparison.Ordinal)
        && !name.Contains('\0', StringComparison.Ordinal)
        && Encoding.UTF8.GetByteCount(name) <= 255;
}
