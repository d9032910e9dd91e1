using System.Numerics;
using Interpreter.Executor.CustomTools.Types;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Infrastructure;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>
/// Builds a tool's input schema with NJsonSchema's model: a draft-07 object titled with the function's name,
/// one property per parameter (in order), required = parameters without a default, no additional properties.
/// docs/custom-tools.md has the table of Python types and their schemas.
/// </summary>
internal static class ToolSchemaBuilder
{
    public const string Draft07 = "http://json-schema.org/draft-07/schema#";

    public static JsonSchema Build(string title, IEnumerable<ToolParameter> parameters)
    {
        var schema = new JsonSchema
        {
            SchemaVersion = Draft07,
            Type = JsonObjectType.Object,
            Title = title,
            AllowAdditionalProperties = false,
        };
        foreach (var parameter in parameters)
        {
            var property = new JsonSchemaProperty();
            Apply(property, parameter.Type);
            property.Description = parameter.Description;
            property.IsRequired = parameter.IsRequired;
            if (parameter.Default is not null)
            {
                property.Default = parameter.Default;
            }

            schema.Properties[parameter.Name] = property;
        }

        return schema;
    }

    /// <summary>Compact JSON of <paramref name="schema"/>; <c>properties</c> is present even when empty.</summary>
    public static string ToJson(JsonSchema schema)
    {
        var json = JsonSchemaSerialization.ToJson(schema, SchemaType.JsonSchema,
            JsonSchema.CreateJsonSerializerContractResolver(SchemaType.JsonSchema), Formatting.None);
        if (schema.Properties.Count > 0)
        {
            return json;
        }

        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        var document = JObject.Load(reader);
        document["properties"] = new JObject();
        return document.ToString(Formatting.None);
    }

    /// <summary>The schema of one value of <paramref name="type"/>.</summary>
    public static JsonSchema ForType(ToolType type)
    {
        var schema = new JsonSchema();
        Apply(schema, type);
        return schema;
    }

    private static void Apply(JsonSchema target, ToolType type)
    {
        switch (type.Kind)
        {
            case ToolTypeKind.String or ToolTypeKind.Path:
                target.Type = JsonObjectType.String;
                break;
            case ToolTypeKind.Integer:
                target.Type = JsonObjectType.Integer;
                break;
            case ToolTypeKind.Number:
                target.Type = JsonObjectType.Number;
                break;
            case ToolTypeKind.Boolean:
                target.Type = JsonObjectType.Boolean;
                break;
            case ToolTypeKind.Null:
                target.Type = JsonObjectType.Null;
                break;
            case ToolTypeKind.Any:
                break;
            case ToolTypeKind.Bytes:
                target.Type = JsonObjectType.String;
                Extend(target, "contentEncoding", "base64");
                break;
            case ToolTypeKind.DateTime:
                target.Type = JsonObjectType.String;
                target.Format = JsonFormatStrings.DateTime;
                break;
            case ToolTypeKind.Date:
                target.Type = JsonObjectType.String;
                target.Format = JsonFormatStrings.Date;
                break;
            case ToolTypeKind.Time:
                target.Type = JsonObjectType.String;
                target.Format = JsonFormatStrings.Time;
                break;
            case ToolTypeKind.Duration:
                target.Type = JsonObjectType.String;
                target.Format = JsonFormatStrings.Duration;
                break;
            case ToolTypeKind.List or ToolTypeKind.VariadicTuple:
                target.Type = JsonObjectType.Array;
                target.Item = ItemSchema(type.Item!);
                break;
            case ToolTypeKind.Set or ToolTypeKind.FrozenSet:
                target.Type = JsonObjectType.Array;
                target.Item = ItemSchema(type.Item!);
                target.UniqueItems = true;
                break;
            case ToolTypeKind.Tuple:
                ApplyTuple(target, type.Members!);
                break;
            case ToolTypeKind.Dict:
                target.Type = JsonObjectType.Object;
                target.AdditionalPropertiesSchema = ItemSchema(type.Item!);
                break;
            case ToolTypeKind.Union:
                foreach (var member in type.Members!)
                {
                    target.AnyOf.Add(ForType(member));
                }

                break;
            case ToolTypeKind.Literal:
                ApplyLiteral(target, type.Values!);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "No schema for this kind.");
        }
    }

    /// <summary>An element schema, or null for Any, so <c>list</c> and <c>list[Any]</c> say just <c>"type": "array"</c>.</summary>
    private static JsonSchema? ItemSchema(ToolType item) => item.Kind == ToolTypeKind.Any ? null : ForType(item);

    private static void ApplyTuple(JsonSchema target, IReadOnlyList<ToolType> members)
    {
        // Draft-07 spells a fixed tuple as an items array plus its length (draft 2020-12's prefixItems).
        target.Type = JsonObjectType.Array;
        foreach (var member in members)
        {
            target.Items.Add(ForType(member));
        }

        if (members.Count == 0)
        {
            // NJsonSchema treats MaxItems = 0 as unset.
            Extend(target, "maxItems", 0);
            return;
        }

        target.MinItems = members.Count;
        target.MaxItems = members.Count;
    }

    private static void ApplyLiteral(JsonSchema target, IReadOnlyList<object?> values)
    {
        // One enum per JSON type: NJsonSchema compares enum members by their text, so "1" would pass for 1 in a mixed enum.
        var groups = values
            .GroupBy(LiteralType)
            .Select(g => (Type: g.Key, Values: g.Distinct().ToList()))
            .ToList();
        if (groups.Count == 1)
        {
            ApplyLiteralGroup(target, groups[0].Type, groups[0].Values);
            return;
        }

        foreach (var (groupType, groupValues) in groups)
        {
            var option = new JsonSchema();
            ApplyLiteralGroup(option, groupType, groupValues);
            target.AnyOf.Add(option);
        }
    }

    private static void ApplyLiteralGroup(JsonSchema target, JsonObjectType type, List<object?> values)
    {
        target.Type = type;
        if (type == JsonObjectType.Null)
        {
            return;
        }

        foreach (var value in values)
        {
            target.Enumeration.Add(value is BigInteger integer && integer >= long.MinValue && integer <= long.MaxValue ? (long)integer : value);
        }
    }

    private static JsonObjectType LiteralType(object? value) => value switch
    {
        null => JsonObjectType.Null,
        string => JsonObjectType.String,
        bool => JsonObjectType.Boolean,
        _ => JsonObjectType.Integer,
    };

    private static void Extend(JsonSchema target, string keyword, object value)
    {
        target.ExtensionData ??= new Dictionary<string, object?>();
        target.ExtensionData[keyword] = value;
    }
}
