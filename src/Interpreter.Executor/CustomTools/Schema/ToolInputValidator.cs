using System.Numerics;
using System.Text.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>
/// Checks <c>tool_input_json</c> against a tool's schema with NJsonSchema's validator (plus format checks that match
/// the sandbox's ISO converters) and words each problem so that it names the field, e.g.
/// <c>field 'a' must be an integer, got string "x"</c>.
/// </summary>
internal static class ToolInputValidator
{
    private const int MaxShownLength = 60;

    private static readonly JsonSchemaValidator Validator = new(
        new IsoDateTimeFormatValidator(),
        new IsoDateFormatValidator(),
        new IsoTimeFormatValidator(),
        new IsoDurationFormatValidator());

    /// <summary>One message per problem; empty when <paramref name="inputJson"/> is a JSON object the schema accepts.</summary>
    public static IReadOnlyList<string> Validate(JsonSchema schema, string inputJson)
    {
        try
        {
            using var strict = JsonDocument.Parse(inputJson, new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (strict.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [$"tool_input_json must be a JSON object of parameter values, not {Article(strict.RootElement.ValueKind)}."];
            }
        }
        catch (System.Text.Json.JsonException e)
        {
            return [$"tool_input_json is not valid JSON: {e.Message}"];
        }

        using var reader = new JsonTextReader(new StringReader(inputJson))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
        };
        var token = JToken.ReadFrom(reader);
        ReplaceHugeIntegers(token);
        return Validator.Validate(token, schema).SelectMany(e => Describe(e, token)).Distinct().ToList();
    }

    /// <summary>
    /// NJsonSchema cannot read an integer beyond 64 bits (it converts through decimal and throws); Python's int can.
    /// The schemas set no numeric bounds, so the nearest 64-bit integer validates exactly like the real value.
    /// </summary>
    private static void ReplaceHugeIntegers(JToken token)
    {
        var values = token is JContainer container ? container.Descendants() : [token];
        var huge = values.OfType<JValue>().Where(v => v.Value is BigInteger).ToList();
        foreach (var value in huge)
        {
            value.Value = ((BigInteger)value.Value!).Sign < 0 ? long.MinValue : long.MaxValue;
        }
    }

    private static IEnumerable<string> Describe(ValidationError error, JToken input)
    {
        if (error is ChildSchemaValidationError child
            && error.Kind is ValidationErrorKind.ArrayItemNotValid or ValidationErrorKind.AdditionalPropertiesNotValid
                or ValidationErrorKind.AdditionalItemNotValid)
        {
            return child.Errors.Values.SelectMany(e => e).SelectMany(e => Describe(e, input));
        }

        var field = Field(error.Path);
        var value = error.Kind is ValidationErrorKind.PropertyRequired ? null : Find(input, field);
        var got = value is null ? "" : $", got {Show(value)}";
        var message = error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"missing required field '{field}'",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"unknown field '{field}': the tool has no parameter of that name",
            ValidationErrorKind.NotAnyOf or ValidationErrorKind.NoTypeValidates or ValidationErrorKind.NotOneOf =>
                $"field '{field}' must be {Expected(error.Schema)}{got}",
            ValidationErrorKind.StringExpected or ValidationErrorKind.IntegerExpected or ValidationErrorKind.NumberExpected
                or ValidationErrorKind.BooleanExpected or ValidationErrorKind.ArrayExpected or ValidationErrorKind.ObjectExpected
                or ValidationErrorKind.NullExpected or ValidationErrorKind.NotInEnumeration => $"field '{field}' must be {Expected(error.Schema)}{got}",
            ValidationErrorKind.DateTimeExpected or ValidationErrorKind.DateExpected or ValidationErrorKind.TimeExpected
                or ValidationErrorKind.TimeSpanExpected => $"field '{field}' must be {Expected(error.Schema)}{got}",
            ValidationErrorKind.TooFewItems or ValidationErrorKind.TooManyItems => $"field '{field}' must have {Length(error.Schema)}{got}",
            ValidationErrorKind.ItemsNotUnique => $"field '{field}' must not contain duplicate items (it is a set)",
            _ => $"field '{field}' is not valid ({error.Kind})",
        };
        return [message];
    }

    private static string Field(string? path)
    {
        var field = path ?? "";
        if (field.StartsWith("#/", StringComparison.Ordinal))
        {
            field = field[2..];
        }

        return field.Length == 0 ? "(root)" : field;
    }

    /// <summary>The offending value, for the message; null when the path cannot be followed.</summary>
    private static JToken? Find(JToken input, string field)
    {
        try
        {
            return input.SelectToken(field, errorWhenNoMatch: false);
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return null;
        }
    }

    private static string Length(JsonSchema? schema) => schema switch
    {
        { MinItems: var min, MaxItems: var max } when min == max && max > 0 => $"exactly {max} items",
        { MaxItems: > 0 } s => $"at most {s.MaxItems} items",
        { MinItems: > 0 } s => $"at least {s.MinItems} items",
        _ => "no items",
    };

    /// <summary>What a value of <paramref name="schema"/> looks like, in words.</summary>
    private static string Expected(JsonSchema? schema)
    {
        if (schema is null)
        {
            return "valid";
        }

        if (schema.AnyOf.Count > 0)
        {
            return string.Join(" or ", schema.AnyOf.Select(Expected));
        }

        if (schema.Enumeration.Count > 0)
        {
            return "one of " + string.Join(", ", schema.Enumeration.Select(v => JsonConvert.SerializeObject(v)));
        }

        return schema.Format switch
        {
            JsonFormatStrings.DateTime => "an ISO 8601 date-time string such as \"2024-05-01T13:45:00+00:00\"",
            JsonFormatStrings.Date => "an ISO 8601 date string such as \"2024-05-01\"",
            JsonFormatStrings.Time => "an ISO 8601 time string such as \"13:45:00\"",
            JsonFormatStrings.Duration => "an ISO 8601 duration string such as \"P1DT2H30M\" (weeks, days, hours, minutes, seconds)",
            _ => schema.Type switch
            {
                JsonObjectType.String when schema.ExtensionData?.ContainsKey("contentEncoding") == true => "a base64 string",
                JsonObjectType.String => "a string",
                JsonObjectType.Integer => "an integer",
                JsonObjectType.Number => "a number",
                JsonObjectType.Boolean => "a boolean",
                JsonObjectType.Null => "null",
                JsonObjectType.Array when schema.Items.Count > 0 => $"an array of {schema.Items.Count} items",
                JsonObjectType.Array => "an array",
                JsonObjectType.Object => "an object",
                JsonObjectType.None => "any value",
                var type => type.ToString().ToLowerInvariant(),
            },
        };
    }

    private static string Show(JToken token)
    {
        switch (token.Type)
        {
            case JTokenType.String:
                var text = token.Value<string>() ?? "";
                var shown = text.Length > MaxShownLength ? text[..MaxShownLength] + "..." : text;
                return "string " + JsonConvert.ToString(shown);
            case JTokenType.Integer or JTokenType.Float:
                return "number " + token.ToString(Formatting.None);
            case JTokenType.Boolean:
                return token.Value<bool>() ? "true" : "false";
            case JTokenType.Null:
                return "null";
            case JTokenType.Array:
                return $"an array of {((JArray)token).Count} items";
            case JTokenType.Object:
                return "an object";
            default:
                return token.Type.ToString().ToLowerInvariant();
        }
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
