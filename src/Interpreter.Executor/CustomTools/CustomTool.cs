using NJsonSchema;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// A parsed custom tool: the function's name, the draft-07 JSON Schema of its parameters (as compact JSON) and its
/// description (docstring summary, plus "Returns: ..." when the return is documented).
/// </summary>
public sealed record CustomTool(string Name, string InputSchemaJson, string Description)
{
    /// <summary>The schema <see cref="InputSchemaJson"/> was written from; input is validated against it.</summary>
    internal JsonSchema InputSchema { get; init; } = new();

    /// <summary>The parameters in declaration order, with their resolved types.</summary>
    internal IReadOnlyList<ToolParameter> Parameters { get; init; } = [];
}
