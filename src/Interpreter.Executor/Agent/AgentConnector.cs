using System.Net;
using System.Net.Sockets;

namespace Interpreter.Executor.Agent;

/// <summary>
/// One HTTP connection pool for every sandbox's agent. A request to a unix-socket agent carries the socket
/// path in its options; the connect callback dials it, or TCP otherwise.
/// </summary>
public sealed class AgentConnector : IDisposable
{
    internal static readonly HttpRequestOptionsKey<string> SocketPathKey = new("agent-socket-path");

    private readonly HttpClient _http;

    /// <summary>Creates the shared pool.</summary>
    public AgentConnector()
    {
        var handler = new SocketsHttpHandler
        {
            // Sandboxes are short-lived: idle connections to them should not pile up.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
            MaxConnectionsPerServer = 4,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A client of the agent at <paramref name="endpoint"/>.</summary>
    public AgentClient For(AgentEndpoint endpoint) => new(_http, endpoint);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        Socket socket;
        EndPoint target;
        if (context.InitialRequestMessage.Options.TryGetValue(SocketPathKey, out var path))
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(path);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            target = context.DnsEndPoint;
        }

        try
        {
            await socket.ConnectAsync(target, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
