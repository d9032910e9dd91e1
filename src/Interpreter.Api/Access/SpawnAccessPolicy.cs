using System.Net;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Access;

/// <summary>
/// Decides whether a request may spawn work: public spawn on, or the client address inside an allowed
/// network, or the request host allowed. The client address is the direct peer, or, when that peer is a
/// trusted proxy, the rightmost X-Forwarded-For address that is not itself a trusted proxy.
/// </summary>
internal sealed class SpawnAccessPolicy
{
    private readonly bool _public;
    private readonly IReadOnlyList<IPNetwork> _allowedNetworks;
    private readonly HashSet<string> _allowedHosts;
    private readonly IReadOnlyList<IPNetwork> _trustedProxies;

    public SpawnAccessPolicy(IOptions<AccessOptions> options)
    {
        var value = options.Value;
        _public = value.PublicSpawnEnabled;
        _allowedNetworks = ParseNetworks(value.InternalIpAllowlist, "APP_INTERNAL_IP_ALLOWLIST");
        _trustedProxies = ParseNetworks(value.TrustedProxies, "APP_TRUSTED_PROXIES");
        _allowedHosts = new HashSet<string>(
            ListSetting.Parse(value.InternalHostAllowlist, "APP_INTERNAL_HOST_ALLOWLIST").Select(NormalizeHost),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>True when the request may spawn work.</summary>
    public bool Allows(IPAddress? peer, string? forwardedFor, string? host) =>
        AllowsClient(ClientAddress(peer, forwardedFor), host);

    /// <summary>True when a request from <paramref name="client"/> (see <see cref="ClientAddress"/>) to <paramref name="host"/> may spawn work.</summary>
    public bool AllowsClient(IPAddress? client, string? host)
    {
        if (_public)
        {
            return true;
        }

        if (client is not null && _allowedNetworks.Any(network => network.Contains(client)))
        {
            return true;
        }

        return host is not null && _allowedHosts.Contains(NormalizeHost(StripPort(host)));
    }

    /// <summary>The address the decision is about (see the type's remarks); null when none is known.</summary>
    public IPAddress? ClientAddress(IPAddress? peer, string? forwardedFor)
    {
        if (peer is null)
        {
            return null;
        }

        var address = Normalize(peer);
        if (!IsTrustedProxy(address) || string.IsNullOrWhiteSpace(forwardedFor))
        {
            return address;
        }

        var hops = forwardedFor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!TryParseHop(hops[i], out var hop))
            {
                // A hop we cannot read: nothing to its left can be trusted, and it is no address to allow.
                return null;
            }

            if (!IsTrustedProxy(hop))
            {
                return hop;
            }

            address = hop;
        }

        return address;
    }

    /// <summary>Parses a list of CIDRs or single addresses; an invalid entry throws naming it and the variable.</summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string? value, string variable)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in ListSetting.Parse(value, variable))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var single))
            {
                single = Normalize(single);
                networks.Add(new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"{variable} entry '{entry}' is not an IP address or CIDR (e.g. 10.0.0.0/8, 192.168.1.5, fd00::/8).");
            }
        }

        return networks;
    }

    /// <summary>True when <paramref name="address"/> (normalized: IPv4-mapped IPv6 as IPv4) is one of APP_TRUSTED_PROXIES.</summary>
    public bool IsTrustedProxy(IPAddress address) => _trustedProxies.Any(network => network.Contains(address));

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool TryParseHop(string hop, out IPAddress address)
    {
        var text = hop.Trim().Trim('"');
        // "[v6]:port", "v4:port", "[v6]" or a bare address.
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            text = end > 0 ? text[1..end] : text;
        }
        else if (text.Count(c => c == ':') == 1)
        {
            text = text[..text.IndexOf(':', StringComparison.Ordinal)];
        }

        if (IPAddress.TryParse(text, out var parsed))
        {
            address = Normalize(parsed);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[..(end + 1)] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }

    private static string NormalizeHost(string host) => host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
