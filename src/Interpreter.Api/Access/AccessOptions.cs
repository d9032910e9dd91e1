using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Access;

/// <summary>Who may spawn work (execute, upload, custom tools), bound from <c>APP_*</c> variables.</summary>
internal sealed class AccessOptions
{
    public const string Section = "App";

    /// <summary>When true anyone who reaches the port may spawn work.</summary>
    [ConfigurationKeyName("PUBLIC_SPAWN_ENABLED")]
    public bool PublicSpawnEnabled { get; set; }

    /// <summary>CIDRs or addresses whose clients may spawn work (JSON array or comma-separated).</summary>
    [ConfigurationKeyName("INTERNAL_IP_ALLOWLIST")]
    public string InternalIpAllowlist { get; set; } = "[]";

    /// <summary>Request hosts (Host header without port) that may spawn work.</summary>
    [ConfigurationKeyName("INTERNAL_HOST_ALLOWLIST")]
    public string InternalHostAllowlist { get; set; } = "[]";

    /// <summary>Proxies whose X-Forwarded-For is believed.</summary>
    [ConfigurationKeyName("TRUSTED_PROXIES")]
    public string TrustedProxies { get; set; } = "[]";
}
