namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// One hostile HTTP/1.1 request, written byte for byte on a raw socket, and the answer it must get: one of
/// <see cref="Statuses"/> (all 4xx) with a message that contains <see cref="Mention"/> when one is given.
/// <see cref="Headers"/> are sent as given; a Content-Length is added from the body only when the case declares none.
/// <see cref="MayGoUnanswered"/>: the server may close the connection without an answer (never with a 5xx).
/// <see cref="RawHead"/>, when set, is sent instead of the head built from method, target and headers (for heads that
/// break HTTP itself).
/// </summary>
internal sealed record HostileRequestCase(
    string Name,
    string Method,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    BodyDelivery Delivery,
    IReadOnlyList<int> Statuses,
    string? Mention,
    bool MayGoUnanswered = false,
    byte[]? RawHead = null)
{
    public override string ToString() => Name;
}
