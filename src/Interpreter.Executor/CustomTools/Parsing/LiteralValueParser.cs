using System.Text;
using Newtonsoft.Json.Linq;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// The JSON value of a parameter default written as a Python literal: numbers (with sign), strings, bytes
/// (as base64), True/False/None, and lists, tuples, sets and str-keyed dicts of those. Anything else
/// (a call, a name, arithmetic, a non-finite float) has no JSON value: the result is null.
/// </summary>
internal sealed class LiteralValueParser
{
    private readonly IReadOnlyList<PythonToken> _tokens;
    private int _i;

    private LiteralValueParser(IReadOnlyList<PythonToken> tokens) => _tokens = tokens;

    /// <summary>The value of the expression made of exactly <paramref name="tokens"/>, or null when it is not a literal.</summary>
    public static JToken? TryParse(IReadOnlyList<PythonToken> tokens)
    {
        var parser = new LiteralValueParser(tokens);
        try
        {
            var value = parser.ParseValue();
            return parser._i == tokens.Count ? value : null;
        }
        catch (NotALiteralException)
        {
            return null;
        }
    }

    private PythonToken Current => _i < _tokens.Count ? _tokens[_i] : throw new NotALiteralException();

    private bool At(string op) => _i < _tokens.Count && _tokens[_i].IsOperator(op);

    private void Expect(string op)
    {
        if (!At(op))
        {
            throw new NotALiteralException();
        }

        _i++;
    }

    private JToken ParseValue()
    {
        var token = Current;
        switch (token.Kind)
        {
            case PythonTokenKind.Name when token.Text is "None":
                _i++;
                return JValue.CreateNull();
            case PythonTokenKind.Name when token.Text is "True" or "False":
                _i++;
                return new JValue(token.Text == "True");
            case PythonTokenKind.String:
                return ParseStrings();
            case PythonTokenKind.Number:
                _i++;
                return Number(token.Text, negate: false);
            case PythonTokenKind.Operator when token.Text is "-" or "+":
                _i++;
                var number = Current.Kind == PythonTokenKind.Number ? Current.Text : throw new NotALiteralException();
                _i++;
                return Number(number, negate: token.Text == "-");
            case PythonTokenKind.Operator when token.Text == "[":
                _i++;
                return new JArray(ParseItems("]"));
            case PythonTokenKind.Operator when token.Text == "(":
                return ParseParenthesized();
            case PythonTokenKind.Operator when token.Text == "{":
                return ParseBraces();
            default:
                throw new NotALiteralException();
        }
    }

    private JToken ParseStrings()
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        bool? isBytes = null;
        while (_i < _tokens.Count && _tokens[_i].Kind == PythonTokenKind.String)
        {
            var literal = PythonStringLiteral.Decode(_tokens[_i].Text);
            if (literal.IsFormatted || (isBytes is { } b && b != literal.IsBytes))
            {
                throw new NotALiteralException();
            }

            isBytes = literal.IsBytes;
            if (literal.Bytes is { } value)
            {
                bytes.AddRange(value);
            }
            else
            {
                text.Append(literal.Value);
            }

            _i++;
        }

        return new JValue(isBytes == true ? Convert.ToBase64String(bytes.ToArray()) : text.ToString());
    }

    private static JValue Number(string token, bool negate)
    {
        if (PythonNumberLiteral.TryParseInteger(token, out var integer))
        {
            var value = negate ? -integer : integer;
            return value >= long.MinValue && value <= long.MaxValue ? new JValue((long)value) : new JValue(value);
        }

        return PythonNumberLiteral.TryParseFloat(token, out var real)
            ? new JValue(negate ? -real : real)
            : throw new NotALiteralException();
    }

    private List<JToken> ParseItems(string close)
    {
        var items = new List<JToken>();
        while (!At(close))
        {
            items.Add(ParseValue());
            if (!At(close))
            {
                Expect(",");
            }
        }

        _i++;
        return items;
    }

    private JToken ParseParenthesized()
    {
        _i++;
        if (At(")"))
        {
            _i++;
            return new JArray();
        }

        var first = ParseValue();
        if (At(")"))
        {
            _i++;
            return first;
        }

        Expect(",");
        var items = new List<JToken> { first };
        items.AddRange(ParseItems(")"));
        return new JArray(items);
    }

    private JToken ParseBraces()
    {
        _i++;
        if (At("}"))
        {
            _i++;
            return new JObject();
        }

        var first = ParseValue();
        if (!At(":"))
        {
            // A set display: JSON has no sets, the schema says array.
            var items = new List<JToken> { first };
            if (!At("}"))
            {
                Expect(",");
                items.AddRange(ParseItems("}"));
            }
            else
            {
                _i++;
            }

            return new JArray(items);
        }

        var result = new JObject();
        var key = first;
        while (true)
        {
            Expect(":");
            if (key.Type != JTokenType.String)
            {
                throw new NotALiteralException();
            }

            result[key.Value<string>()!] = ParseValue();
            if (At("}"))
            {
                _i++;
                return result;
            }

            Expect(",");
            if (At("}"))
            {
                _i++;
                return result;
            }

            key = ParseValue();
        }
    }

    private sealed class NotALiteralException : Exception;
}
