using System.Text;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// A JSON endpoint as the case generator sees it: a base body, each field with its kind (S string, N number,
/// B boolean, D string map) and whether it is required, a body that lacks one required field, and the string
/// fields that get invalid UTF-8.
/// </summary>
internal sealed record JsonEndpoint(
    string Short,
    string Path,
    IReadOnlyList<(string Key, string Raw)> Base,
    IReadOnlyList<(string Name, char Kind, bool Required)> Fields,
    (string Field, IReadOnlyList<(string Key, string Raw)> Fields) Missing,
    IReadOnlyList<string> Utf8Fields)
{
    private const string DamageMarker = "@@damage@@";

    public string Body() => HostileRequestCases.Obj(Base);

    /// <summary>The base body with <paramref name="field"/> set to the raw JSON <paramref name="raw"/> (added if absent).</summary>
    public string With(string field, string raw) => HostileRequestCases.Obj(Base.Any(b => b.Key == field)
        ? Base.Select(b => b.Key == field ? (b.Key, raw) : b)
        : [.. Base, (field, raw)]);

    /// <summary>The base body with <paramref name="field"/> a string that has <paramref name="damage"/> bytes inside.</summary>
    public byte[] WithBytes(string field, byte[] damage)
    {
        var text = With(field, "\"a" + DamageMarker + "b\"");
        var at = text.IndexOf(DamageMarker, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. damage, .. Encoding.UTF8.GetBytes(text[(at + DamageMarker.Length)..])];
    }

    public HostileRequestCase Case(string name, string json, int status, string? mention,
        Func<byte[], byte[]>? mutate = null, string contentType = "application/json")
    {
        var body = Encoding.UTF8.GetBytes(json);
        return Case(name, mutate is null ? body : mutate(body), status, mention, contentType);
    }

    public HostileRequestCase Case(string name, byte[] body, int status, string? mention, string contentType = "application/json") =>
        new($"{Short}: {name}", "POST", Path, [new("Content-Type", contentType)], body, BodyDelivery.Complete, [status], mention);
}
