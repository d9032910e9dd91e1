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

    /// <summary>
    /// Browser origins (<c>scheme://host[:port]</c>, JSON array or comma-separated; <c>*</c> = any) whose pages may send
    /// requests that change state or spawn work. The service's own origin is always allowed; requests without an
    /// Origin header (non-browser clients) are not affected.
    /// </summary>
    [ConfigurationKeyName("ALLOWED_ORIGINS")]
    public string AllowedOrigins { get; set; } = "[]";

    /// <summary>Proxies whose X-Forwarded-For is believed.</summary>
    [ConfigurationKeyName("TRUSTED_PROXIES")]
    public string TrustedProxies { get; set; } = "[]";
}
