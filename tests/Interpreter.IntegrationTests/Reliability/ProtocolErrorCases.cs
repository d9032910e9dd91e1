using System.Text;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Requests that break HTTP/1.1 itself (framing headers, request line, header syntax and sizes). Kestrel refuses these
/// before any middleware runs, with its own 4xx and an empty body: the API cannot add a message, so the cases only
/// demand the status Kestrel gives (or a closed connection) and a server that keeps serving. The statuses are what
/// Kestrel answers; the only 5xx is 505 for an HTTP version it does not speak, which is the correct answer.
/// </summary>
internal static class ProtocolErrorCases
{
    private static readonly Lazy<IReadOnlyDictionary<string, HostileRequestCase>> Cases = new(Generate);

    public static IReadOnlyDictionary<string, HostileRequestCase> All => Cases.Value;

    private static IReadOnlyDictionary<string, HostileRequestCase> Generate()
    {
        const string Json = "Content-Type: application/json\r\n";
        var body = "{\"chat_id\": \"hr-chat-b\"}";
        (string Name, string Head, int[] Statuses)[] heads =
        [
            ("Content-Length -1", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Content-Length: -1\r\n\r\n", [400]),
            ("Content-Length not a number", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Content-Length: abc\r\n\r\n", [400]),
            ("Content-Length 2^64", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Content-Length: 18446744073709551616\r\n\r\n", [400]),
            ("two different Content-Lengths", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Content-Length: 5\r\nContent-Length: 6\r\n\r\n", [400]),
            // Kestrel lets Transfer-Encoding win (RFC 9112 6.3) and closes the connection afterwards; the API sees an empty body.
            ("Content-Length and chunked", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
            ("Transfer-Encoding gzip only", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{Json}Transfer-Encoding: gzip\r\n\r\n", [400]),
            ("header line without colon", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nthis is not a header\r\n\r\n", [400]),
            ("header name with space", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nBad Name: x\r\n\r\n", [400]),
            ("header value with 0xFF", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nX-Note: a\u00ffb\r\n{Json}Content-Length: 2\r\n\r\n{{}}", [400]),
            ("header value with NUL", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nX-Note: a\0b\r\n\r\n", [400]),
            ("garbage request line", "GARBAGE\r\n\r\n", [400]),
            // Kestrel's one 5xx here, and the right one (RFC 9110 15.6.6 HTTP Version Not Supported): nothing failed.
            ("unknown HTTP version", "POST /v1/execute HTTP/9.9\r\nHost: localhost\r\n\r\n", [505]),
            ("no Host header", $"POST /v1/execute HTTP/1.1\r\n{Json}Content-Length: 2\r\n\r\n{{}}", [400]),
            ("two Host headers", $"POST /v1/execute HTTP/1.1\r\nHost: a\r\nHost: b\r\n{Json}Content-Length: 2\r\n\r\n{{}}", [400]),
            ("NUL in the path", "POST /v1/exe%00cute HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", [400, 404]),
            ("raw NUL in the path", "POST /v1/exe\0cute HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", [400]),
            ("request line of 20 KB", $"GET /{new string('r', 20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n", [414]),
            ("header of 40 KB", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('h', 40_000)}\r\n\r\n", [431]),
            ("200 headers", $"POST /v1/execute HTTP/1.1\r\nHost: localhost\r\n{string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n"))}\r\n", [431]),
            // Kestrel takes bare LF line ends; the API then judges the body like any other.
            ("bare LF line ends", $"POST /v1/execute HTTP/1.1\nHost: localhost\nConnection: close\n{Json.Replace("\r", "")}Content-Length: {body.Length}\n\n{body}", [400]),
        ];

        var cases = new Dictionary<string, HostileRequestCase>(StringComparer.Ordinal);
        foreach (var (name, head, statuses) in heads)
        {
            cases.Add("protocol: " + name, new HostileRequestCase("protocol: " + name, "", "", [], null, BodyDelivery.Complete, statuses, null,
                MayGoUnanswered: true, RawHead: Encoding.Latin1.GetBytes(head)));
        }

        return cases;
    }
}
