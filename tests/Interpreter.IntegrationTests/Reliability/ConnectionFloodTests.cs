using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// One client opens more idle TCP connections than the API process has file descriptors (the review's 20,000 against
/// a limit of 20,000, scaled down by running the API under a lower limit). The per-client cap closes the surplus as
/// soon as it is accepted, so another client is still served, and the server accepts again once the flood is gone.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int OpenFileLimit = 2048;
    private const int PerClientCap = 64;
    private const int FloodConnections = 3000;
    private static readonly IPAddress Flooder = IPAddress.Parse("127.0.0.2");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Api_AnswersHealthAndExecute_WhenOneClientHoldsMoreIdleConnectionsThanTheProcessHasDescriptors()
    {
        var instance = "flood-" + Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        var settings = new Dictionary<string, string>
        {
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
            ["APP_EXECUTOR_MEMORY_LIMIT"] = "384Mi",
            ["APP_WORKSPACE_SIZE_LIMIT"] = "64Mi",
            ["APP_MAX_CONNECTIONS"] = "512",
            ["APP_MAX_CONNECTIONS_PER_CLIENT"] = PerClientCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var flood = new List<Socket>();
        try
        {
            await using var api = ApiProcess.Start(instance, storage, settings, OpenFileLimit);
            await Eventually.TrueAsync(async () => await api.PoolAsync(Ct) is { Ready: >= 1 }, TimeSpan.FromSeconds(90),
                "the pool to hold a ready sandbox", Ct);
            var port = api.BaseAddress.Port;

            var (reset, timedOut) = await OpenIdleConnectionsAsync(flood, port);
            output.WriteLine($"of {FloodConnections} connections from {Flooder}: {flood.Count} established, {reset} reset at once, {timedOut} timed out");
            timedOut.ShouldBe(0, "the server must keep accepting (and closing) connections, not leave them in its listen queue");

            using (var health = await api.Client.GetAsync("/healthz", Ct))
            {
                health.StatusCode.ShouldBe(HttpStatusCode.OK, api.RecentOutput);
            }

            using (var execute = await api.Client.PostAsJsonAsync("/v1/execute",
                new { chat_id = "flood", source_code = "print('still here')" }, Ct))
            {
                execute.StatusCode.ShouldBe(HttpStatusCode.OK, api.RecentOutput);
                (await execute.Content.ReadAsStringAsync(Ct)).ShouldContain("still here\\n");
            }

            var stillOpen = flood.Count;
            await Eventually.TrueAsync(() =>
            {
                stillOpen = flood.Count(s => !IsClosedByPeer(s));
                return Task.FromResult(stillOpen <= PerClientCap);
            }, TimeSpan.FromSeconds(30), $"the server to keep at most {PerClientCap} of the flood's connections open", Ct);
            output.WriteLine($"flood connections the server still holds: {stillOpen}");
            var metrics = await api.Client.GetStringAsync("/metrics", Ct);
            // OpenTelemetry writes a series without labels as "name{}": the same series as "name".
            var refused = metrics.Split('\n').Select(l => l.Replace("{}", "", StringComparison.Ordinal))
                .Single(l => l.StartsWith("computesandbox_http_connections_refused_total ", StringComparison.Ordinal));
            double.Parse(refused.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)
                .ShouldBeGreaterThanOrEqualTo(FloodConnections - PerClientCap, refused);

            foreach (var socket in flood)
            {
                socket.Dispose();
            }

            flood.Clear();
            (await HealthFromAsync(Flooder, port)).ShouldStartWith("HTTP/1.1 200", customMessage: api.RecentOutput);
            api.HasExited.ShouldBeFalse();
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    /// <summary>
    /// Opens the flood's connections from <see cref="Flooder"/>, a few at a time, keeping those that stay open; returns
    /// how many the server reset before the connect completed and how many connects timed out (the server not accepting).
    /// </summary>
    private static async Task<(int Reset, int TimedOut)> OpenIdleConnectionsAsync(List<Socket> into, int port)
    {
        var reset = 0;
        var timedOut = 0;
        var gate = new object();
        await Parallel.ForEachAsync(Enumerable.Range(0, FloodConnections),
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct },
            async (_, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(Flooder, 0));
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
                    lock (gate)
                    {
                        into.Add(socket);
                    }
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    socket.Dispose();
                    Interlocked.Increment(ref reset);
                }
                catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
                {
                    socket.Dispose();
                    Interlocked.Increment(ref timedOut);
                }
            });
        return (reset, timedOut);
    }

    /// <summary>True when the peer closed or reset the connection: readable with nothing to read.</summary>
    private static bool IsClosedByPeer(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<string> HealthFromAsync(IPAddress source, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
        await socket.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), Ct);
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
