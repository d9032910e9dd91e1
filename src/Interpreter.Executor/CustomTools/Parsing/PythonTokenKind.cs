namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>Token classes of Python's tokenizer that the tool parser needs (comments and blank lines are dropped).</summary>
internal enum PythonTokenKind
{
    Name,
    Number,
    String,
    Operator,
    Newline,
    Indent,
    Dedent,
    EndOfFile,
}
