namespace Interpreter.Executor.CustomTools;

/// <summary>Either the parsed <see cref="Tool"/> or, when the source cannot be a tool, one message per problem.</summary>
public sealed record CustomToolParseResult(CustomTool? Tool, IReadOnlyList<string> Errors)
{
    /// <summary>A failed parse with <paramref name="errors"/>.</summary>
    public static CustomToolParseResult Failure(IReadOnlyList<string> errors) => new(null, errors);
}
