using System.Text;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// Parses an annotation expression into <see cref="TypeNode"/>s: dotted names, subscripts, <c>|</c> unions,
/// constants (for Literal and string annotations), <c>[...]</c>, <c>(...)</c> and <c>...</c>.
/// Anything else (a call, arithmetic, a float) makes the whole annotation <see cref="TypeNodeKind.Invalid"/>.
/// </summary>
internal sealed class TypeExpressionParser
{
    private readonly IReadOnlyList<PythonToken> _tokens;
    private readonly string _source;
    private int _i;

    private TypeExpressionParser(IReadOnlyList<PythonToken> tokens, string source)
    {
        _tokens = tokens;
        _source = source;
    }

    /// <summary>Parses the expression made of exactly <paramref name="tokens"/> (a slice of <paramref name="source"/>'s tokens).</summary>
    public static TypeNode Parse(IReadOnlyList<PythonToken> tokens, string source)
    {
        var text = tokens.Count == 0 ? "" : source[tokens[0].Start..tokens[^1].End];
        var parser = new TypeExpressionParser(tokens, source);
        try
        {
            var node = parser.ParseUnion();
            return parser._i == tokens.Count ? node : Invalid(text);
        }
        catch (NotATypeException)
        {
            return Invalid(text);
        }
    }

    /// <summary>Parses the content of a string annotation, e.g. <c>"list[int]"</c>.</summary>
    public static TypeNode ParseText(string text)
    {
        var trimmed = text.Trim();
        try
        {
            var tokens = PythonTokenizer.Tokenize(trimmed).ToList();
            tokens.RemoveAll(t => t.Kind == PythonTokenKind.EndOfFile);
            if (tokens.Count > 0 && tokens[^1].Kind == PythonTokenKind.Newline)
            {
                tokens.RemoveAt(tokens.Count - 1);
            }

            return tokens.Count == 0 || tokens.Any(t => t.Kind is PythonTokenKind.Indent or PythonTokenKind.Dedent or PythonTokenKind.Newline)
                ? Invalid(trimmed)
                : Parse(tokens, trimmed);
        }
        catch (PythonSyntaxException)
        {
            return Invalid(trimmed);
        }
    }

    private static TypeNode Invalid(string text) => new(TypeNodeKind.Invalid, text);

    private PythonToken? Current => _i < _tokens.Count ? _tokens[_i] : null;

    private bool At(string op) => Current?.IsOperator(op) == true;

    private string TextFrom(int firstToken) => _source[_tokens[firstToken].Start.._tokens[_i - 1].End];

    private TypeNode ParseUnion()
    {
        var first = _i;
        var members = new List<TypeNode> { ParsePrimary() };
        while (At("|"))
        {
            _i++;
            members.Add(ParsePrimary());
        }

        return members.Count == 1 ? members[0] : new TypeNode(TypeNodeKind.Union, TextFrom(first), Arguments: members);
    }

    private TypeNode ParsePrimary()
    {
        var first = _i;
        var atom = ParseAtom();
        if (!At("["))
        {
            return atom;
        }

        if (atom.Kind != TypeNodeKind.Name)
        {
            throw new NotATypeException();
        }

        _i++;
        var arguments = ParseSequence("]");
        var node = new TypeNode(TypeNodeKind.Subscript, TextFrom(first), atom.Name, arguments);
        return At("[") ? throw new NotATypeException() : node;
    }

    private List<TypeNode> ParseSequence(string close)
    {
        var items = new List<TypeNode>();
        while (!At(close))
        {
            items.Add(ParseUnion());
            if (At(","))
            {
                _i++;
            }
            else if (!At(close))
            {
                throw new NotATypeException();
            }
        }

        _i++;
        return items;
    }

    private TypeNode ParseAtom()
    {
        var token = Current ?? throw new NotATypeException();
        var first = _i;
        switch (token.Kind)
        {
            case PythonTokenKind.Name:
                return ParseName(token);
            case PythonTokenKind.String:
                return ParseStrings();
            case PythonTokenKind.Number:
                _i++;
                return Integer(token.Text, negate: false, token.Text);
            case PythonTokenKind.Operator when token.Text is "-" or "+" && _i + 1 < _tokens.Count && _tokens[_i + 1].Kind == PythonTokenKind.Number:
                _i += 2;
                return Integer(_tokens[_i - 1].Text, negate: token.Text == "-", TextFrom(first));
            case PythonTokenKind.Operator when token.Text == "...":
                _i++;
                return new TypeNode(TypeNodeKind.Ellipsis, "...");
            case PythonTokenKind.Operator when token.Text == "[":
                _i++;
                var items = ParseSequence("]");
                return new TypeNode(TypeNodeKind.List, TextFrom(first), Arguments: items);
            case PythonTokenKind.Operator when token.Text == "(":
                return ParseParenthesized(first);
            default:
                throw new NotATypeException();
        }
    }

    private TypeNode ParseName(PythonToken token)
    {
        _i++;
        switch (token.Text)
        {
            case "None":
                return new TypeNode(TypeNodeKind.Constant, "None");
            case "True" or "False":
                return new TypeNode(TypeNodeKind.Constant, token.Text, Value: token.Text == "True");
            case "lambda" or "not" or "and" or "or" or "if" or "else" or "in" or "is" or "await" or "yield":
                throw new NotATypeException();
        }

        var parts = new List<string> { token.Text };
        while (At(".") && _i + 1 < _tokens.Count && _tokens[_i + 1].Kind == PythonTokenKind.Name)
        {
            parts.Add(_tokens[_i + 1].Text);
            _i += 2;
        }

        var name = string.Join('.', parts);
        return new TypeNode(TypeNodeKind.Name, name, name);
    }

    private TypeNode ParseStrings()
    {
        var first = _i;
        var value = new StringBuilder();
        while (Current is { Kind: PythonTokenKind.String } token)
        {
            var literal = PythonStringLiteral.Decode(token.Text);
            if (literal.IsBytes || literal.IsFormatted)
            {
                throw new NotATypeException();
            }

            value.Append(literal.Value);
            _i++;
        }

        return new TypeNode(TypeNodeKind.Constant, TextFrom(first), Value: value.ToString());
    }

    private TypeNode ParseParenthesized(int first)
    {
        _i++;
        if (At(")"))
        {
            _i++;
            return new TypeNode(TypeNodeKind.Tuple, "()", Arguments: []);
        }

        var inner = ParseUnion();
        if (At(")"))
        {
            _i++;
            return inner;
        }

        if (!At(","))
        {
            throw new NotATypeException();
        }

        _i++;
        var items = new List<TypeNode> { inner };
        items.AddRange(ParseSequence(")"));
        return new TypeNode(TypeNodeKind.Tuple, TextFrom(first), Arguments: items);
    }

    private static TypeNode Integer(string token, bool negate, string text) =>
        PythonNumberLiteral.TryParseInteger(token, out var value)
            ? new TypeNode(TypeNodeKind.Constant, text, Value: negate ? -value : value)
            : new TypeNode(TypeNodeKind.Invalid, text);

    private sealed class NotATypeException : Exception;
}
