using System.Numerics;
using System.Text.Json.Nodes;
using Interpreter.Executor.CustomTools.Types;

namespace Interpreter.Executor.CustomTools.Running;

/// <summary>
/// A <see cref="ToolType"/> as the JSON "type plan" the sandbox harness converts arguments with:
/// <c>{"t": "list", "of": {"t": "int"}}</c>, <c>{"t": "union", "options": [...]}</c>, <c>{"t": "literal", "values": [...]}</c>.
/// </summary>
internal static class ToolTypePlan
{
    public static JsonObject For(ToolType type)
    {
        var plan = new JsonObject { ["t"] = Name(type.Kind) };
        switch (type.Kind)
        {
            case ToolTypeKind.List or ToolTypeKind.Set or ToolTypeKind.FrozenSet or ToolTypeKind.VariadicTuple or ToolTypeKind.Dict:
                plan["of"] = For(type.Item!);
                break;
            case ToolTypeKind.Tuple:
                plan["items"] = new JsonArray(type.Members!.Select(m => (JsonNode)For(m)).ToArray());
                break;
            case ToolTypeKind.Union:
                plan["options"] = new JsonArray(type.Members!.Select(m => (JsonNode)For(m)).ToArray());
                break;
            case ToolTypeKind.Literal:
                plan["values"] = new JsonArray(type.Values!.Select(Value).ToArray());
                break;
        }

        return plan;
    }

    private static JsonNode? Value(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        BigInteger integer => JsonNode.Parse(integer.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Literal values are str, int, bool or None."),
    };

    private static string Name(ToolTypeKind kind) => kind switch
    {
        ToolTypeKind.String => "str",
        ToolTypeKind.Integer => "int",
        ToolTypeKind.Number => "float",
        ToolTypeKind.Boolean => "bool",
        ToolTypeKind.Null => "null",
        ToolTypeKind.Any => "any",
        ToolTypeKind.Bytes => "bytes",
        ToolTypeKind.DateTime => "datetime",
        ToolTypeKind.Date => "date",
        ToolTypeKind.Time => "time",
        ToolTypeKind.Duration => "duration",
        ToolTypeKind.Path => "path",
        ToolTypeKind.List => "list",
        ToolTypeKind.Set => "set",
        ToolTypeKind.FrozenSet => "frozenset",
        ToolTypeKind.Tuple => "tuple",
        ToolTypeKind.VariadicTuple => "vartuple",
        ToolTypeKind.Dict => "dict",
        ToolTypeKind.Union => "union",
        ToolTypeKind.Literal => "literal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No plan for this kind."),
    };
}
