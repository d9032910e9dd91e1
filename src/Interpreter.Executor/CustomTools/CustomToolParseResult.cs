namespace Interpreter.Executor.CustomTools;

/// <summary>
/// Either the parsed <see cref="Tool"/> or, when the source cannot be a tool, the problems: <see cref="Errors"/> in the
/// reference service's own words (one per kind of problem, what clients see in <c>error_messages</c>), and
/// <see cref="Details"/>, one precise message per problem found (parameter, line, how to fix it).
/// </summary>
public sealed record CustomToolParseResult(CustomTool? Tool, IReadOnlyList<string> Errors)
{
    /// <summary>One precise message per problem; the same as <see cref="Errors"/> where the reference has no words of its own.</summary>
    public IReadOnlyList<string> Details { get; init; } = Errors;

    /// <summary>A failed parse with <paramref name="errors"/> (reference wording) and <paramref name="details"/>.</summary>
    public static CustomToolParseResult Failure(IReadOnlyList<string> errors, IReadOnlyList<string>? details = null) =>
        new(null, errors) { Details = details ?? errors };
}
