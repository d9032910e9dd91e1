using System.Text;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// An annotation's text as Python's <c>ast.unparse</c> prints it, which is what the reference puts in its messages and
/// descriptions: no spaces inside brackets, <c>", "</c> between items, <c>" | "</c> around unions, strings in single
/// quotes where they hold none.
/// </summary>
internal static class AnnotationText
{
    public static string Unparse(IReadOnlyList<PythonToken> tokens)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind is PythonTokenKind.Newline)
            {
                continue;
            }

            var piece = token.Kind == PythonTokenKind.String ? Quote(token.Text) : token.Text;
            switch (piece)
            {
                case ",":
                    text.Append(", ");
                    break;
                case "|":
                    text.Append(" | ");
                    break;
                default:
                    if (text.Length > 0 && IsWordy(text[^1]) && piece.Length > 0 && IsWordy(piece[0]))
                    {
                        text.Append(' ');
                    }

                    text.Append(piece);
                    break;
            }
        }

        return text.ToString().Replace(", ]", "]", StringComparison.Ordinal).Replace(", )", ")", StringComparison.Ordinal).Trim();
    }

    /// <summary>The same layout for an annotation's raw source text (used in messages about a parameter's type).</summary>
    public static string Normalize(string source) =>
        Unparse(PythonTokenizer.Tokenize(source).Where(t => t.Kind is not (PythonTokenKind.EndOfFile or PythonTokenKind.Indent or PythonTokenKind.Dedent)).ToList());

    private static bool IsWordy(char c) => char.IsLetterOrDigit(c) || c is '_' or '\'' or '"';

    private static string Quote(string literal)
    {
        if (literal.Length >= 2 && literal[0] == '"' && literal[^1] == '"' && !literal.Contains('\'', StringComparison.Ordinal)
            && !literal.StartsWith("\"\"\"", StringComparison.Ordinal))
        {
            return "'" + literal[1..^1] + "'";
        }

        return literal;
    }
}
