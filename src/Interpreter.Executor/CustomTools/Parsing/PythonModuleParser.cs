using System.Text;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// Recursive descent over a module's tokens. It reads top-level imports and <c>def</c> headers (parameters,
/// annotations, defaults, return annotation) and the docstring; every other statement, and every function body
/// after its docstring, is stepped over by its tokens and blocks. Nothing is evaluated.
/// </summary>
internal sealed class PythonModuleParser
{
    private static readonly HashSet<string> Keywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];

    private readonly IReadOnlyList<PythonToken> _tokens;
    private readonly string _source;
    private readonly List<ParsedFunction> _functions = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private int _i;

    private PythonModuleParser(IReadOnlyList<PythonToken> tokens, string source)
    {
        _tokens = tokens;
        _source = source;
    }

    /// <summary>Parses <paramref name="source"/>, which must be <see cref="PythonTokenizer.Normalize"/>d.</summary>
    /// <exception cref="PythonSyntaxException">The source is not valid Python where the parser looks.</exception>
    public static ParsedModule Parse(string source)
    {
        var parser = new PythonModuleParser(PythonTokenizer.Tokenize(source), source);
        parser.ParseModule();
        return new ParsedModule(parser._functions, new ImportScope(parser._aliases));
    }

    private PythonToken Current => _tokens[_i];

    private PythonToken Next => _tokens[Math.Min(_i + 1, _tokens.Count - 1)];

    private void ParseModule()
    {
        while (Current.Kind != PythonTokenKind.EndOfFile)
        {
            switch (Current.Kind)
            {
                case PythonTokenKind.Newline or PythonTokenKind.Dedent:
                    _i++;
                    break;
                case PythonTokenKind.Indent:
                    throw new PythonSyntaxException(Current.Line, "unexpected indent");
                default:
                    ParseStatement();
                    break;
            }
        }
    }

    private void ParseStatement()
    {
        var token = Current;
        if (token.IsName("def") || (token.IsName("async") && Next.IsName("def")))
        {
            ParseFunction();
        }
        else if (token.IsName("import"))
        {
            ParseImport();
            EndSimpleStatement();
        }
        else if (token.IsName("from"))
        {
            ParseFromImport();
            EndSimpleStatement();
        }
        else
        {
            SkipStatement();
        }
    }

    private void EndSimpleStatement()
    {
        if (Current.IsOperator(";"))
        {
            _i++;
        }
        else if (Current.Kind == PythonTokenKind.Newline)
        {
            _i++;
        }
        else
        {
            throw new PythonSyntaxException(Current.Line, $"invalid syntax: unexpected '{Current.Text}'");
        }
    }

    /// <summary>Steps over one simple statement, or a compound statement with its indented block.</summary>
    private void SkipStatement()
    {
        while (Current.Kind is not (PythonTokenKind.Newline or PythonTokenKind.EndOfFile) && !Current.IsOperator(";"))
        {
            _i++;
        }

        if (Current.IsOperator(";"))
        {
            _i++;
            return;
        }

        if (Current.Kind == PythonTokenKind.Newline)
        {
            _i++;
        }

        if (Current.Kind == PythonTokenKind.Indent)
        {
            SkipBlock();
        }
    }

    /// <summary>From an INDENT to its matching DEDENT, inclusive.</summary>
    private void SkipBlock()
    {
        var depth = 0;
        do
        {
            depth += Current.Kind switch
            {
                PythonTokenKind.Indent => 1,
                PythonTokenKind.Dedent => -1,
                _ => 0,
            };
            if (Current.Kind == PythonTokenKind.EndOfFile)
            {
                return;
            }

            _i++;
        }
        while (depth > 0);
    }

    private void ParseImport()
    {
        _i++;
        while (true)
        {
            var module = ReadDottedName();
            if (Current.IsName("as"))
            {
                _i++;
                _aliases[ExpectIdentifier("a name after 'as'")] = module;
            }
            else
            {
                var head = module.Split('.')[0];
                _aliases[head] = head;
            }

            if (!Current.IsOperator(","))
            {
                return;
            }

            _i++;
        }
    }

    private void ParseFromImport()
    {
        _i++;
        var relative = false;
        while (Current.IsOperator(".") || Current.IsOperator("..."))
        {
            relative = true;
            _i++;
        }

        var module = Current.Kind == PythonTokenKind.Name && !Current.IsName("import") ? ReadDottedName() : null;
        if (!Current.IsName("import") || (module is null && !relative))
        {
            throw new PythonSyntaxException(Current.Line, "invalid syntax: expected 'from <module> import <names>'");
        }

        _i++;
        if (Current.IsOperator("*"))
        {
            _i++;
            return;
        }

        var parenthesized = Current.IsOperator("(");
        if (parenthesized)
        {
            _i++;
        }

        while (true)
        {
            var name = ExpectIdentifier("a name to import");
            var local = name;
            if (Current.IsName("as"))
            {
                _i++;
                local = ExpectIdentifier("a name after 'as'");
            }

            if (!relative && module is not null)
            {
                _aliases[local] = module + "." + name;
            }

            if (!Current.IsOperator(","))
            {
                break;
            }

            _i++;
            if (parenthesized && Current.IsOperator(")"))
            {
                break;
            }
        }

        if (parenthesized)
        {
            Expect(")", "')' to close the import list");
        }
    }

    private string ReadDottedName()
    {
        var parts = new List<string> { ExpectIdentifier("a module name") };
        while (Current.IsOperator("."))
        {
            _i++;
            parts.Add(ExpectIdentifier("a name after '.'"));
        }

        return string.Join('.', parts);
    }

    private void ParseFunction()
    {
        var isAsync = Current.IsName("async");
        if (isAsync)
        {
            _i++;
        }

        var defLine = Current.Line;
        _i++;
        var name = ExpectIdentifier("a function name after 'def'");
        Expect("(", $"'(' after 'def {name}'");
        var parameters = ParseParameters(name);
        string? returns = null;
        if (Current.IsOperator("->"))
        {
            _i++;
            var annotation = CollectExpression(stopAtColon: true, stopAtEquals: false);
            if (annotation.Count == 0)
            {
                throw new PythonSyntaxException(Current.Line, $"expected a return annotation after '->' in 'def {name}'");
            }

            returns = AnnotationText.Unparse(annotation);
        }

        Expect(":", $"':' after the parameter list of '{name}'");
        var docstring = ParseBody(defLine);
        _functions.Add(new ParsedFunction(name, defLine, isAsync, parameters, docstring, returns));
    }

    private List<ParsedParameter> ParseParameters(string function)
    {
        var parameters = new List<ParsedParameter>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seenSlash = false;
        var seenStar = false;
        var bareStarLine = 0;
        var seenVarKeyword = false;
        var seenDefault = false;
        while (!Current.IsOperator(")"))
        {
            var line = Current.Line;
            if (seenVarKeyword)
            {
                throw new PythonSyntaxException(line, "arguments cannot follow var-keyword argument");
            }

            if (Current.IsOperator("/"))
            {
                if (seenSlash || seenStar || parameters.Count == 0)
                {
                    throw new PythonSyntaxException(line, seenSlash ? "/ may appear only once"
                        : seenStar ? "/ must be ahead of *" : "at least one argument must precede /");
                }

                seenSlash = true;
                for (var p = 0; p < parameters.Count; p++)
                {
                    parameters[p] = parameters[p] with { Kind = ParameterKind.PositionalOnly };
                }

                _i++;
            }
            else if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                var isKeyword = Current.Text == "**";
                _i++;
                if (!isKeyword && seenStar)
                {
                    throw new PythonSyntaxException(line, "* argument may appear only once");
                }

                if (!isKeyword && (Current.IsOperator(",") || Current.IsOperator(")")))
                {
                    seenStar = true;
                    bareStarLine = line;
                }
                else
                {
                    var parameter = ParseParameter(isKeyword ? ParameterKind.VarKeyword : ParameterKind.VarPositional, names);
                    if (parameter.HasDefault)
                    {
                        throw new PythonSyntaxException(line, isKeyword
                            ? "var-keyword argument cannot have default value"
                            : "var-positional argument cannot have default value");
                    }

                    parameters.Add(parameter);
                    seenStar |= !isKeyword;
                    seenVarKeyword = isKeyword;
                }
            }
            else
            {
                var parameter = ParseParameter(seenStar ? ParameterKind.KeywordOnly : ParameterKind.PositionalOrKeyword, names);
                if (!seenStar && !parameter.HasDefault && seenDefault)
                {
                    throw new PythonSyntaxException(line, "parameter without a default follows parameter with a default");
                }

                seenDefault |= parameter.HasDefault && !seenStar;
                if (bareStarLine != 0 && parameter.Kind == ParameterKind.KeywordOnly)
                {
                    bareStarLine = 0;
                }

                parameters.Add(parameter);
            }

            if (Current.IsOperator(","))
            {
                _i++;
            }
            else if (!Current.IsOperator(")"))
            {
                throw new PythonSyntaxException(Current.Line, $"expected ',' or ')' in the parameter list of '{function}', found '{Current.Text}'");
            }
        }

        if (bareStarLine != 0)
        {
            throw new PythonSyntaxException(bareStarLine, "named arguments must follow bare *");
        }

        _i++;
        return parameters;
    }

    private ParsedParameter ParseParameter(ParameterKind kind, HashSet<string> names)
    {
        var line = Current.Line;
        var name = ExpectIdentifier("a parameter name");
        if (!names.Add(name))
        {
            throw new PythonSyntaxException(line, $"duplicate argument '{name}' in function definition");
        }

        TypeNode? annotation = null;
        if (Current.IsOperator(":"))
        {
            _i++;
            var tokens = CollectExpression(stopAtColon: false, stopAtEquals: true);
            if (tokens.Count == 0)
            {
                throw new PythonSyntaxException(Current.Line, $"expected a type annotation after '{name}:'");
            }

            annotation = TypeExpressionParser.Parse(tokens, _source);
        }

        if (!Current.IsOperator("="))
        {
            return new ParsedParameter(name, line, kind, annotation, HasDefault: false, Default: null);
        }

        _i++;
        var defaultTokens = CollectExpression(stopAtColon: false, stopAtEquals: false);
        if (defaultTokens.Count == 0)
        {
            throw new PythonSyntaxException(Current.Line, $"expected a default value after '{name}='");
        }

        return new ParsedParameter(name, line, kind, annotation, HasDefault: true, LiteralValueParser.TryParse(defaultTokens));
    }

    /// <summary>
    /// The tokens of one expression, up to a ',' or ')' at its own nesting level (and ':' or '=' when asked).
    /// A lambda's parameter list is stepped over so its ',' and ':' do not end the expression.
    /// </summary>
    private List<PythonToken> CollectExpression(bool stopAtColon, bool stopAtEquals)
    {
        var tokens = new List<PythonToken>();
        var depth = 0;
        while (true)
        {
            var token = Current;
            if (token.Kind is PythonTokenKind.Newline or PythonTokenKind.EndOfFile or PythonTokenKind.Indent or PythonTokenKind.Dedent)
            {
                throw new PythonSyntaxException(token.Line, "unexpected end of line in a function definition");
            }

            if (depth == 0 && (token.IsOperator(",") || token.IsOperator(")")
                || (stopAtColon && token.IsOperator(":")) || (stopAtEquals && token.IsOperator("="))))
            {
                return tokens;
            }

            if (token.IsOperator("(") || token.IsOperator("[") || token.IsOperator("{"))
            {
                depth++;
            }
            else if (token.IsOperator(")") || token.IsOperator("]") || token.IsOperator("}"))
            {
                depth--;
            }
            else if (token.IsName("lambda"))
            {
                CollectLambdaHead(tokens);
                continue;
            }

            tokens.Add(token);
            _i++;
        }
    }

    private void CollectLambdaHead(List<PythonToken> tokens)
    {
        var depth = 0;
        while (true)
        {
            var token = Current;
            if (token.Kind is PythonTokenKind.Newline or PythonTokenKind.EndOfFile)
            {
                throw new PythonSyntaxException(token.Line, "invalid syntax in a lambda expression");
            }

            tokens.Add(token);
            _i++;
            if (token.IsOperator("(") || token.IsOperator("[") || token.IsOperator("{"))
            {
                depth++;
            }
            else if (token.IsOperator(")") || token.IsOperator("]") || token.IsOperator("}"))
            {
                depth--;
            }
            else if (depth == 0 && token.IsOperator(":"))
            {
                return;
            }
        }
    }

    /// <summary>Steps over a function body and returns its docstring, if its first statement is a plain string.</summary>
    private string? ParseBody(int defLine)
    {
        if (Current.Kind != PythonTokenKind.Newline)
        {
            var inline = ReadDocstring();
            SkipStatement();
            return inline;
        }

        _i++;
        if (Current.Kind != PythonTokenKind.Indent)
        {
            throw new PythonSyntaxException(Current.Line, $"expected an indented block after function definition on line {defLine}");
        }

        _i++;
        var docstring = ReadDocstring();
        var depth = 1;
        while (depth > 0 && Current.Kind != PythonTokenKind.EndOfFile)
        {
            depth += Current.Kind switch
            {
                PythonTokenKind.Indent => 1,
                PythonTokenKind.Dedent => -1,
                _ => 0,
            };
            _i++;
        }

        return docstring;
    }

    private string? ReadDocstring()
    {
        var j = _i;
        var text = new StringBuilder();
        while (_tokens[j].Kind == PythonTokenKind.String)
        {
            var literal = PythonStringLiteral.Decode(_tokens[j].Text);
            if (literal.IsBytes || literal.IsFormatted)
            {
                return null;
            }

            text.Append(literal.Value);
            j++;
        }

        var end = _tokens[j];
        return j > _i && (end.Kind is PythonTokenKind.Newline or PythonTokenKind.EndOfFile || end.IsOperator(";")) ? text.ToString() : null;
    }

    private string ExpectIdentifier(string what)
    {
        var token = Current;
        if (token.Kind != PythonTokenKind.Name || Keywords.Contains(token.Text))
        {
            throw new PythonSyntaxException(token.Line, $"invalid syntax: expected {what}, found {Describe(token)}");
        }

        _i++;
        return token.Text;
    }

    private void Expect(string op, string what)
    {
        if (!Current.IsOperator(op))
        {
            throw new PythonSyntaxException(Current.Line, $"invalid syntax: expected {what}, found {Describe(Current)}");
        }

        _i++;
    }

    private static string Describe(PythonToken token) => token.Kind switch
    {
        PythonTokenKind.Newline => "the end of the line",
        PythonTokenKind.EndOfFile => "the end of the source",
        PythonTokenKind.Indent => "an indent",
        PythonTokenKind.Dedent => "a dedent",
        _ => $"'{token.Text}'",
    };
}
