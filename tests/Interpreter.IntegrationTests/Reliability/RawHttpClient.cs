using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Sends a <see cref="HostileRequestCase"/> exactly as written on its own TCP connection (HttpClient would refuse a
/// lying Content-Length, a truncated body or a body on GET) and reads the answer until the server closes.
/// </summary>
internal static class RawHttpClient
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public static async Task<RawHttpResponse> SendAsync(int port, HostileRequestCase request, TimeSpan patience, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(patience);
        var received = new MemoryStream();
        var body = request.Body ?? [];

        await stream.WriteAsync(request.RawHead ?? Head(request), ct);
        Task sending;
        if (request.Delivery == BodyDelivery.ExpectContinue)
        {
            // The server either asks for the body (100) or answers at once without it.
            var first = await ReadHeadAsync(stream, received, deadline.Token);
            if (first is null || !first.StartsWith("HTTP/1.1 100", StringComparison.Ordinal))
            {
                return await ReadToEndAsync(stream, received, request, deadline, ct);
            }

            // Keep whatever followed the interim 100 answer: it is the start of the final one.
            var afterInterim = received.ToArray()[(received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf(HeadEnd) + HeadEnd.Length)..];
            received.SetLength(0);
            received.Write(afterInterim);
            sending = SendQuietlyAsync(stream, body, ct);
        }
        else
        {
            // The body goes out while the answer is read: a server that answers early must not block the client.
            sending = SendQuietlyAsync(stream, body, ct);
            if (request.Delivery == BodyDelivery.HalfClose)
            {
                await sending;
                socket.Shutdown(SocketShutdown.Send);
            }
        }

        var response = await ReadToEndAsync(stream, received, request, deadline, ct);
        await sending;
        return response;
    }

    private static byte[] Head(HostileRequestCase request)
    {
        var head = new StringBuilder()
            .Append(request.Method).Append(' ').Append(request.Target).Append(" HTTP/1.1\r\n")
            .Append("Host: localhost\r\nConnection: close\r\n");
        var framed = false;
        foreach (var (name, value) in request.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
            framed |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
        }

        if (!framed && request.Body is not null)
        {
            head.Append("Content-Length: ").Append(request.Body.Length).Append("\r\n");
        }

        if (request.Delivery == BodyDelivery.ExpectContinue)
        {
            head.Append("Expect: 100-continue\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    private static async Task SendQuietlyAsync(NetworkStream stream, byte[] body, CancellationToken ct)
    {
        try
        {
            for (var offset = 0; offset < body.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset)), ct);
            }
        }
        catch (IOException)
        {
            // The server answered and closed before taking the whole body: its answer is what counts.
        }
    }

    /// <summary>Reads until a whole response head is in <paramref name="received"/>; returns its status line, or null at EOF.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, MemoryStream received, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf(HeadEnd) < 0)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                return null;
            }

            received.Write(buffer, 0, read);
        }

        var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length);
        return text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
    }

    private static async Task<RawHttpResponse> ReadToEndAsync(NetworkStream stream, MemoryStream received, HostileRequestCase request,
        CancellationTokenSource deadline, CancellationToken ct)
    {
        var outcome = "closed";
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            outcome = $"no answer within the client's patience ({request.Delivery}); the client closed";
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            outcome = "reset";
        }

        return Parse(received.ToArray(), outcome);
    }

    private static RawHttpResponse Parse(byte[] raw, string outcome)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var end = raw.AsSpan().IndexOf(HeadEnd);
        if (end < 0)
        {
            return new RawHttpResponse(null, headers, raw, outcome);
        }

        var lines = Encoding.Latin1.GetString(raw, 0, end).Split("\r\n");
        var parts = lines[0].Split(' ', 3);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = raw[(end + HeadEnd.Length)..];
        if (headers.GetValueOrDefault("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            body = Dechunk(body);
        }

        return new RawHttpResponse(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), headers, body, outcome);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(chunked, position, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            body.Write(chunked, position, Math.Min(size, chunked.Length - position));
            position += size + 2;
        }

        return body.ToArray();
    }
}
