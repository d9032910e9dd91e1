using System.Net.Sockets;
using System.Text;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// A stand-in for a sandbox's agent on a unix socket that answers <c>POST /execute</c> with a fixed list of
/// files and serves them, except that it stalls at the point the test names: before answering a file's
/// headers, in the middle of a file's body, or while an input file is uploaded. A real agent cannot be made to
/// stall (it kills every process of the run before it answers, and serves one request at a time), so this fake
/// exists for the stall alone; every other collection test runs against real sandboxes.
/// </summary>
internal sealed class StallingAgent : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Func<string, string, Stream, CancellationToken, Task> _serve;

    private StallingAgent(string socketPath, Func<string, string, Stream, CancellationToken, Task> serve)
    {
        SocketPath = socketPath;
        _serve = serve;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    public string SocketPath { get; }

    /// <summary>Requests seen, as "METHOD target".</summary>
    public List<string> Requests { get; } = [];

    /// <summary>
    /// Starts a fake agent: <paramref name="serve"/> gets each request's method, target and the connection, after
    /// the request's head and body were read (an upload's body is left to it), and writes the answer or stalls
    /// until the token it gets fires (when the agent is disposed).
    /// </summary>
    public static StallingAgent Start(Func<string, string, Stream, CancellationToken, Task> serve)
    {
        var folder = Path.Combine(Path.GetTempPath(), "stalling-agent-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return new StallingAgent(Path.Combine(folder, "agent.sock"), serve);
    }

    /// <summary>Writes a complete response with a JSON or text body.</summary>
    public static async Task AnswerAsync(Stream connection, int status, string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await WriteHeadAsync(connection, status, bytes.Length, ct);
        await connection.WriteAsync(bytes, ct);
        await connection.FlushAsync(ct);
    }

    /// <summary>Writes a response head announcing <paramref name="length"/> body bytes.</summary>
    public static async Task WriteHeadAsync(Stream connection, int status, long length, CancellationToken ct)
    {
        var head = $"HTTP/1.1 {status} X\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n";
        await connection.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await connection.FlushAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        // Bounded: a fake that cannot stop must not become the hang it is there to catch.
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Directory.Delete(Path.GetDirectoryName(SocketPath)!, recursive: true);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                connections.Add(ServeConnectionAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var head = await ReadHeadAsync(stream);
                if (head is null)
                {
                    return;
                }

                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                lock (Requests)
                {
                    Requests.Add(parts[0] + " " + parts[1]);
                }

                var length = lines.Skip(1).Select(l => l.Split(':', 2))
                    .Where(kv => kv.Length == 2 && kv[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(kv => long.Parse(kv[1].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                    .FirstOrDefault();
                // Uploads are read by the handler itself (or not: that is the stall).
                if (parts[0] != "PUT")
                {
                    if (lines.Any(l => l.StartsWith("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
                    {
                        await SkipChunkedBodyAsync(stream);
                    }
                    else
                    {
                        await stream.ReadExactlyAsync(new byte[length], _stop.Token);
                    }
                }

                await _serve(parts[0], Uri.UnescapeDataString(parts[1]), stream, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException
            or FormatException or IndexOutOfRangeException)
        {
        }
    }

    private async Task SkipChunkedBodyAsync(Stream stream)
    {
        while (true)
        {
            var size = Convert.ToInt32((await ReadLineAsync(stream)).Split(';')[0].Trim(), 16);
            await stream.ReadExactlyAsync(new byte[size], _stop.Token);
            await ReadLineAsync(stream);
            if (size == 0)
            {
                return;
            }
        }
    }

    private async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, _stop.Token) == 1 && one[0] != '\n')
        {
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
    }

    private async Task<string?> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                return Encoding.ASCII.GetString(head.ToArray(), 0, head.Count - 4);
            }
        }
    }
}
