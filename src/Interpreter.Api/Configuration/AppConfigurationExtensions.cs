using System.Globalization;
using System.Net;

namespace Interpreter.Api.Configuration;

/// <summary>Start-up wiring of the <c>APP_</c> variables.</summary>
internal static class AppConfigurationExtensions
{
    public static IConfigurationBuilder AddAppEnvironmentVariables(this IConfigurationBuilder builder) =>
        builder.Add(new AppEnvironmentConfigurationSource());

    /// <summary>Turns a listen address (<c>0.0.0.0:50081</c>, <c>[::]:8080</c>) into a Kestrel URL; errors name <paramref name="variable"/>.</summary>
    public static string ToListenUrl(string address, string variable = "APP_HTTP_LISTEN_ADDR")
    {
        var separator = address.LastIndexOf(':');
        if (separator <= 0
            || !int.TryParse(address[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535)
        {
            throw new InvalidOperationException(
                $"{variable} '{address}' must be host:port, e.g. 0.0.0.0:50081 or [::]:50081.");
        }

        var host = address[..separator];
        if (host is "0.0.0.0" or "*" or "+")
        {
            host = "0.0.0.0";
        }
        else if (!IPAddress.TryParse(host.Trim('[', ']'), out _) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new InvalidOperationException($"{variable} '{address}' has an invalid host '{host}'.");
        }

        return $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }
}
