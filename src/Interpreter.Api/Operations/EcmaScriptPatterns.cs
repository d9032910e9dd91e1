using NJsonSchema;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace Interpreter.Api.Operations;

/// <summary>
/// The validators' patterns end at <c>\z</c> (.NET's <c>$</c> also matches before a final line break), but an
/// OpenAPI document's patterns are ECMAScript regular expressions, where <c>\z</c> is no anchor: a client that checks
/// them (a generated client, a form) would read it as a literal <c>z</c> and refuse every valid value. In the
/// document a final <c>\z</c> becomes <c>$</c>, which in ECMAScript (no multiline flag) matches only at the end of
/// the input, the same rule.
/// </summary>
internal sealed class EcmaScriptPatterns : IDocumentProcessor
{
    private const string DotNetEnd = @"\z";

    public void Process(DocumentProcessorContext context)
    {
        var seen = new HashSet<JsonSchema>(ReferenceEqualityComparer.Instance);
        foreach (var schema in context.Document.Components.Schemas.Values)
        {
            Visit(schema, seen);
        }

        foreach (var operation in context.Document.Operations)
        {
            foreach (var parameter in operation.Operation.Parameters)
            {
                Visit(parameter, seen);
                Visit(parameter.Schema, seen);
            }
        }
    }

    /// <summary>The ECMAScript form of a .NET pattern that ends at <c>\z</c>; any other pattern as it is.</summary>
    public static string ToEcmaScript(string pattern) =>
        pattern.EndsWith(DotNetEnd, StringComparison.Ordinal) && !pattern.EndsWith(@"\" + DotNetEnd, StringComparison.Ordinal)
            ? pattern[..^DotNetEnd.Length] + "$"
            : pattern;

    private static void Visit(JsonSchema? schema, HashSet<JsonSchema> seen)
    {
        if (schema is null || !seen.Add(schema))
        {
            return;
        }

        if (schema.Pattern is { } pattern)
        {
            schema.Pattern = ToEcmaScript(pattern);
        }

        Visit(schema.Reference, seen);
        Visit(schema.Item, seen);
        Visit(schema.AdditionalPropertiesSchema, seen);
        foreach (var child in schema.Properties.Values.Cast<JsonSchema>()
                     .Concat(schema.Items).Concat(schema.AllOf).Concat(schema.AnyOf).Concat(schema.OneOf))
        {
            Visit(child, seen);
        }
    }
}
