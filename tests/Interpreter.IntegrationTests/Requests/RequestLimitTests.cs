using System.Net;
using System.Net.Sockets;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Requests;

/// <summary>Request bodies that never complete hold no sandbox; every error answer is problem+json.</summary>
[Collection(DockerCollection.Name)]
public sealed class RequestLimitTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_HoldsNoSandbox_WhenBodyIsTruncatedOrSlow()
    {
        var inUseBefore = fixture.Api.Pool.Snapshot.InUse;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Client.BaseAddress!.Port, Ct);
        var head = "POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
            + "{\"chat_id\":\"c1\",\"source_code\":\"print(";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, Ct);

        // While that body hangs, the pool hands nothing to it and other requests are served.
        var other = await fixture.Client.ExecuteAsync("print('served meanwhile')", Ct);
        other.Stdout.ShouldBe("served meanwhile\n");
        fixture.Api.Pool.Snapshot.InUse.ShouldBe(inUseBefore);

        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4096];
        try
        {
            // The server either answers 400 for the truncated body or resets the connection.
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct);
            var answer = Encoding.ASCII.GetString(buffer, 0, received);
            if (answer.Length > 0)
            {
                answer.ShouldStartWith("HTTP/1.1 400");
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        fixture.Api.Pool.Snapshot.InUse.ShouldBe(inUseBefore);
    }

    [Theory]
    [InlineData("GET", "/v1/execute", 405)]
    [InlineData("POST", "/v1/no-such-endpoint", 404)]
    public async Task UnknownRouteOrMethod_AnswersProblemJson_WhenCalled(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await fixture.Client.SendAsync(request, Ct);

        ((int)response.StatusCode).ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
