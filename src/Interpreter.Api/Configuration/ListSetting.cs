using System.Text.Json;

namespace Interpreter.Api.Configuration;

/// <summary>A list setting written as a JSON array (<c>["a","b"]</c>) or comma-separated (<c>a,b</c>), as the reference accepts.</summary>
internal static class ListSetting
{
    /// <summary>The items, trimmed, without empty ones; throws naming <paramref name="variable"/> on a malformed JSON array.</summary>
    public static IReadOnlyList<string> Parse(string? value, string variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var text = value.Trim();
        if (text.StartsWith('['))
        {
            try
            {
                return (JsonSerializer.Deserialize<List<string>>(text) ?? [])
                    .Select(item => item.Trim())
                    .Where(item => item.Length > 0)
                    .ToList();
            }
            catch (JsonException e)
            {
                throw new FormatException($"{variable} is not a JSON array of strings: {e.Message}", e);
            }
        }

        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }
}
