using System.Text.RegularExpressions;

namespace Interpreter.Api.Features;

/// <summary>Patterns and checks that API.md applies to several endpoints.</summary>
internal static partial class RequestRules
{
    public const string DefaultChatId = "default";

    public const int MaxWorkspacePathBytes = 4096;

    [GeneratedRegex("^[0-9A-Za-z_-]{1,255}$")]
    public static partial Regex ChatId();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    public static partial Regex Sha256Hex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    public static partial Regex EnvName();

    /// <summary>An absolute, normalised path strictly under /workspace/ with no '..', NUL or empty segment.</summary>
    public static bool IsWorkspacePath(string? path)
    {
        if (string.IsNullOrEmpty(path)
            || !path.StartsWith("/workspace/", StringComparison.Ordinal)
            || path.Contains('\0', StringComparison.Ordinal)
            || System.Text.Encoding.UTF8.GetByteCount(path) > MaxWorkspacePathBytes
            || path.EndsWith('/'))
        {
            return false;
        }

        return path.Split('/').Skip(1).All(segment => segment is not ("" or "." or ".."));
    }
}
