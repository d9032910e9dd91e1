using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Connections;

/// <summary>Caps on open client connections, bound from <c>APP_*</c> variables.</summary>
internal sealed class ConnectionOptions
{
    public const string Section = "App";

    /// <summary>Open connections the server keeps at once; more are closed as soon as they are accepted.</summary>
    [ConfigurationKeyName("MAX_CONNECTIONS")]
    public int MaxConnections { get; set; } = 4096;

    /// <summary>
    /// Open connections one client address keeps at once (connections from <c>APP_TRUSTED_PROXIES</c> count only
    /// against <see cref="MaxConnections"/>).
    /// </summary>
    [ConfigurationKeyName("MAX_CONNECTIONS_PER_CLIENT")]
    public int MaxConnectionsPerClient { get; set; } = 256;
}
