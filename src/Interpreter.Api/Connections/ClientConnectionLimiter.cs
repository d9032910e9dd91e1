using System.Collections.Concurrent;
using System.Net;
using Interpreter.Api.Access;
using Interpreter.Api.Operations;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Connections;

/// <summary>
/// Kestrel connection middleware: counts the open connections of each client address and closes, right after the
/// accept, every connection beyond <c>APP_MAX_CONNECTIONS_PER_CLIENT</c>, so one client holding thousands of idle
/// connections cannot take the whole of <c>APP_MAX_CONNECTIONS</c> (nor the process's descriptors) from the others.
/// Trusted proxies carry many clients' connections and count only against the overall cap.
/// </summary>
internal sealed partial class ClientConnectionLimiter(
    IOptions<ConnectionOptions> options,
    SpawnAccessPolicy access,
    ApiMetrics metrics,
    ILogger<ClientConnectionLimiter> logger)
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);
    private readonly int _cap = options.Value.MaxConnectionsPerClient;
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private long _refused;
    private long _lastWarning = long.MinValue;

    /// <summary>Connections refused so far because their client was at its cap.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Runs one connection through the cap.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var peer })
        {
            await next(connection);
            return;
        }

        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        if (access.IsTrustedProxy(address))
        {
            await next(connection);
            return;
        }

        if (!TryEnter(address))
        {
            Refuse(address);
            connection.Abort(new ConnectionAbortedException("The client holds too many open connections."));
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Leave(address);
        }
    }

    private bool TryEnter(IPAddress address)
    {
        if (_open.AddOrUpdate(address, 1, static (_, count) => count + 1) <= _cap)
        {
            return true;
        }

        Leave(address);
        return false;
    }

    private void Leave(IPAddress address)
    {
        if (_open.AddOrUpdate(address, 0, static (_, count) => count - 1) == 0)
        {
            // Only when nobody entered meanwhile: the pair must still read 0.
            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }

    private void Refuse(IPAddress address)
    {
        Interlocked.Increment(ref _refused);
        metrics.ConnectionRefused();
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last >= WarningInterval.TotalMilliseconds
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            LogRefused(address.ToString(), _cap, Refused);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Closed a connection from {Client}: it holds {Cap} open connections (APP_MAX_CONNECTIONS_PER_CLIENT); {Refused} refused so far")]
    private partial void LogRefused(string client, int cap, long refused);
}
