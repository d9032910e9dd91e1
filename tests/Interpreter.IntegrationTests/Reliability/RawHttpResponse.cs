using System.Text;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// What the server sent back on a raw connection: null <see cref="Status"/> when it closed or reset the connection
/// without an answer, or when the client gave up waiting.
/// </summary>
internal sealed record RawHttpResponse(int? Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, string Outcome)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    public override string ToString() => Status is { } status
        ? $"{status} {ContentType}: {BodyText}"
        : $"no answer ({Outcome})";
}
