namespace Interpreter.Executor.CustomTools.Types;

/// <summary>
/// A resolved parameter type. <see cref="Item"/> is the element type of lists, sets, variadic tuples and dict values;
/// <see cref="Members"/> are a fixed tuple's items or a union's options; <see cref="Values"/> are a Literal's values
/// (string, <see cref="System.Numerics.BigInteger"/>, bool or null).
/// </summary>
internal sealed record ToolType(
    ToolTypeKind Kind,
    ToolType? Item = null,
    IReadOnlyList<ToolType>? Members = null,
    IReadOnlyList<object?>? Values = null)
{
    /// <summary><c>Any</c>.</summary>
    public static ToolType AnyType { get; } = new(ToolTypeKind.Any);

    /// <summary><c>None</c>.</summary>
    public static ToolType NullType { get; } = new(ToolTypeKind.Null);

    /// <summary>A canonical spelling, also the identity used to drop duplicate union members.</summary>
    public override string ToString() => Kind switch
    {
        ToolTypeKind.List or ToolTypeKind.Set or ToolTypeKind.FrozenSet or ToolTypeKind.Dict or ToolTypeKind.VariadicTuple =>
            $"{Kind}[{Item}]",
        ToolTypeKind.Tuple or ToolTypeKind.Union => $"{Kind}[{string.Join(", ", Members ?? [])}]",
        ToolTypeKind.Literal => $"Literal[{string.Join(", ", (Values ?? []).Select(FormatValue))}]",
        _ => Kind.ToString(),
    };

    private static string FormatValue(object? value) => value switch
    {
        null => "None",
        string s => "'" + s + "'",
        bool b => b ? "True" : "False",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
