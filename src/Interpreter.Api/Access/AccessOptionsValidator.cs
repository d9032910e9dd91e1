using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Access;

/// <summary>Stops start-up when an allowlist entry is not an address, a CIDR or a host name, naming the entry.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = new List<string>();
        Try(() => SpawnAccessPolicy.ParseNetworks(options.InternalIpAllowlist, "APP_INTERNAL_IP_ALLOWLIST"), errors);
        Try(() => SpawnAccessPolicy.ParseNetworks(options.TrustedProxies, "APP_TRUSTED_PROXIES"), errors);
        Try(() =>
        {
            foreach (var host in ListSetting.Parse(options.InternalHostAllowlist, "APP_INTERNAL_HOST_ALLOWLIST"))
            {
                if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
                {
                    throw new FormatException($"APP_INTERNAL_HOST_ALLOWLIST entry '{host}' is not a host name or address.");
                }
            }
        }, errors);
        Try(() => OriginPolicy.ParseOrigins(options.AllowedOrigins), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Try(Action check, List<string> errors)
    {
        try
        {
            check();
        }
        catch (FormatException e)
        {
            errors.Add(e.Message);
        }
    }
}
