namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>One token: its class, exact source text, 1-based line and the [Start, End) offsets in the normalised source.</summary>
internal sealed record PythonToken(PythonTokenKind Kind, string Text, int Line, int Start, int End)
{
    public bool IsOperator(string text) => Kind == PythonTokenKind.Operator && string.Equals(Text, text, StringComparison.Ordinal);

    public bool IsName(string text) => Kind == PythonTokenKind.Name && string.Equals(Text, text, StringComparison.Ordinal);

    public override string ToString() => $"{Kind} '{Text}' (line {Line})";
}
