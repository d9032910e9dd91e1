using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Access;

/// <summary>
/// Which browser origins may send requests that change state or spawn work: the service's own origin, and those in
/// APP_ALLOWED_ORIGINS. A page of another site can make a browser POST a form (an upload, say) here without any CORS
/// preflight; the browser then names that page's origin in the Origin header, which is what this checks. A request
/// without Origin (curl, SDKs, other services) is not a browser's cross-site request and is not affected.
/// </summary>
internal sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly bool _any;

    public OriginPolicy(IOptions<AccessOptions> options)
    {
        var origins = ParseOrigins(options.Value.AllowedOrigins);
        _any = origins.Contains("*");
        _allowed = origins.Where(o => o != "*").ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>True when <paramref name="origin"/> may send state-changing requests to a server reached as
    /// <paramref name="scheme"/>://<paramref name="host"/>.</summary>
    public bool Allows(string origin, string scheme, HostString host)
    {
        if (_any)
        {
            return true;
        }

        if (Normalize(origin) is not { } normalized)
        {
            return false;
        }

        return _allowed.Contains(normalized)
            || (host.HasValue && Normalize($"{scheme}://{host.Value}") is { } own && own == normalized);
    }

    /// <summary>The origins of a setting, normalised; throws naming APP_ALLOWED_ORIGINS and the entry when one is not an origin.</summary>
    public static IReadOnlyList<string> ParseOrigins(string? setting) =>
        ListSetting.Parse(setting, "APP_ALLOWED_ORIGINS")
            .Select(entry => entry == "*"
                ? "*"
                : Normalize(entry) ?? throw new FormatException(
                    $"APP_ALLOWED_ORIGINS entry '{entry}' is not an origin: write scheme://host[:port] (no path), or * for any."))
            .ToList();

    /// <summary><c>scheme://host:port</c> in lowercase with the port made explicit; null when the text is no http(s) origin.</summary>
    private static string? Normalize(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || !text.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase)
            || text.TrimEnd('/')[(uri.Scheme.Length + 3)..].IndexOfAny(['/', '?', '#', '@', '\\']) >= 0)
        {
            return null;
        }

        return $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}";
    }
}
