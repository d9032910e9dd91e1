namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>How a parameter can be passed, as Python's inspect module names it.</summary>
internal enum ParameterKind
{
    PositionalOrKeyword,
    PositionalOnly,
    KeywordOnly,
    VarPositional,
    VarKeyword,
}
