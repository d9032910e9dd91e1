namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// A top-level <c>def</c> (or <c>async def</c>): name, parameters in order, the raw docstring if there is one, and the
/// return annotation as Python's <c>ast.unparse</c> would print it (null when there is none).
/// </summary>
internal sealed record ParsedFunction(
    string Name,
    int Line,
    bool IsAsync,
    IReadOnlyList<ParsedParameter> Parameters,
    string? Docstring,
    string? ReturnAnnotation = null);
