namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>A top-level <c>def</c> (or <c>async def</c>): name, parameters in order, and the raw docstring if there is one.</summary>
internal sealed record ParsedFunction(
    string Name,
    int Line,
    bool IsAsync,
    IReadOnlyList<ParsedParameter> Parameters,
    string? Docstring);
