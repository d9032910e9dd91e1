namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// A client that sends <c>Expect: 100-continue</c> and waits for the answer before sending a body, as curl does
/// for large bodies: a body the server refuses by its length (413) is then never sent, so the refusal is read
/// instead of the client failing with a broken pipe halfway through sending.
/// </summary>
internal static class ExpectContinueClient
{
    public static HttpClient For(Uri baseAddress)
    {
        var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = baseAddress,
        };
        client.DefaultRequestHeaders.ExpectContinue = true;
        return client;
    }
}
