namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// One token: its class, 1-based line and the [Start, End) offsets in the normalised <see cref="Source"/>.
/// A struct that slices its text on demand: a 10 MiB source can hold millions of tokens.
/// </summary>
internal readonly record struct PythonToken(PythonTokenKind Kind, int Line, int Start, int End, string Source)
{
    /// <summary>The token's exact source text.</summary>
    public string Text => Source[Start..End];

    private ReadOnlySpan<char> Span => Source.AsSpan(Start, End - Start);

    public bool IsOperator(string text) => Kind == PythonTokenKind.Operator && Span.SequenceEqual(text);

    public bool IsName(string text) => Kind == PythonTokenKind.Name && Span.SequenceEqual(text);

    public override string ToString() => $"{Kind} '{Text}' (line {Line})";
}
