using System.Globalization;
using System.Text.RegularExpressions;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// Python 3's tokenizer rules, enough to find statements and read a <c>def</c> header without running anything:
/// names, numbers, strings (all prefixes, triple quotes, escapes), operators, comments, explicit and implicit
/// line joining and INDENT/DEDENT. It reports the lexical errors CPython reports, with their line.
/// </summary>
internal static partial class PythonTokenizer
{
    private const int TabSize = 8;

    // CPython's own limit (MAXLEVEL); it also keeps the recursive-descent parsers' stacks bounded.
    private const int MaxBracketDepth = 200;

    private static readonly string[] Operators =
    [
        "**=", "//=", ">>=", "<<=", "...",
        "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "=",
    ];

    /// <summary>Universal newlines, as Python reads source: CRLF and CR become LF; a leading BOM is dropped.</summary>
    public static string Normalize(string source)
    {
        var text = source.StartsWith('\uFEFF') ? source[1..] : source;
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
    }

    /// <summary>Tokens of <paramref name="source"/> (already <see cref="Normalize"/>d), ending with NEWLINE, DEDENTs and END.</summary>
    /// <exception cref="PythonSyntaxException">The text is not tokenizable Python.</exception>
    public static IReadOnlyList<PythonToken> Tokenize(string source)
    {
        var scanner = new Scanner(source);
        scanner.Run();
        return scanner.Tokens;
    }

    [GeneratedRegex(@"\G(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)")]
    private static partial Regex NumberPattern();

    private static bool IsIdentifierStart(char c) =>
        c is '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z')
        || (c > 127 && !char.IsSurrogate(c) && (char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.LetterNumber));

    private static bool IsIdentifierPart(char c) =>
        IsIdentifierStart(c) || c is >= '0' and <= '9'
        || (c > 127 && !char.IsSurrogate(c) && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation);

    private static bool IsStringPrefix(string name) =>
        name.ToLowerInvariant() is "r" or "u" or "b" or "f" or "br" or "rb" or "fr" or "rf";

    private sealed class Scanner(string source)
    {
        private readonly Stack<int> _indents = new([0]);
        private readonly Stack<(char Open, int Line)> _brackets = new();
        private int _pos;
        private int _line = 1;
        private bool _atLineStart = true;

        public List<PythonToken> Tokens { get; } = [];

        public void Run()
        {
            while (_pos < source.Length)
            {
                if (_atLineStart && _brackets.Count == 0)
                {
                    if (!ReadIndentation())
                    {
                        continue;
                    }
                }

                if (_pos >= source.Length)
                {
                    break;
                }

                var c = source[_pos];
                switch (c)
                {
                    case ' ' or '\t' or '\f':
                        _pos++;
                        break;
                    case '#':
                        SkipComment();
                        break;
                    case '\n':
                        NewLine();
                        break;
                    case '\\':
                        LineContinuation();
                        break;
                    case '\'' or '"':
                        ReadString(_pos, _pos);
                        break;
                    case '\0':
                        throw new PythonSyntaxException(_line, "source code cannot contain null bytes");
                    default:
                        if (IsIdentifierStart(c))
                        {
                            ReadName();
                        }
                        else if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < source.Length && char.IsAsciiDigit(source[_pos + 1])))
                        {
                            ReadNumber();
                        }
                        else
                        {
                            ReadOperator(c);
                        }

                        break;
                }
            }

            Finish();
        }

        /// <summary>Measures the indentation of a new logical line; false when the line is blank or only a comment.</summary>
        private bool ReadIndentation()
        {
            var column = 0;
            var p = _pos;
            while (p < source.Length)
            {
                var c = source[p];
                if (c == ' ')
                {
                    column++;
                }
                else if (c == '\t')
                {
                    column = ((column / TabSize) + 1) * TabSize;
                }
                else if (c == '\f')
                {
                    column = 0;
                }
                else
                {
                    break;
                }

                p++;
            }

            _pos = p;
            if (p >= source.Length)
            {
                return true;
            }

            if (source[p] is '#' or '\n')
            {
                SkipComment();
                if (_pos < source.Length)
                {
                    _pos++;
                    _line++;
                }

                return false;
            }

            _atLineStart = false;
            if (column > _indents.Peek())
            {
                _indents.Push(column);
                Add(PythonTokenKind.Indent, _pos, _pos);
            }
            else
            {
                while (column < _indents.Peek())
                {
                    _indents.Pop();
                    Add(PythonTokenKind.Dedent, _pos, _pos);
                }

                if (column != _indents.Peek())
                {
                    throw new PythonSyntaxException(_line, "unindent does not match any outer indentation level");
                }
            }

            return true;
        }

        private void SkipComment()
        {
            while (_pos < source.Length && source[_pos] != '\n')
            {
                _pos++;
            }
        }

        private void NewLine()
        {
            if (_brackets.Count == 0)
            {
                Add(PythonTokenKind.Newline, _pos, _pos + 1);
                _atLineStart = true;
            }

            _pos++;
            _line++;
        }

        private void LineContinuation()
        {
            if (_pos + 1 >= source.Length)
            {
                throw new PythonSyntaxException(_line, "unexpected EOF while parsing");
            }

            if (source[_pos + 1] != '\n')
            {
                throw new PythonSyntaxException(_line, "unexpected character after line continuation character");
            }

            _pos += 2;
            _line++;
        }

        private void ReadName()
        {
            var start = _pos;
            while (_pos < source.Length && IsIdentifierPart(source[_pos]))
            {
                _pos++;
            }

            if (_pos < source.Length && source[_pos] is '\'' or '"' && IsStringPrefix(source[start.._pos]))
            {
                ReadString(start, _pos);
                return;
            }

            Add(PythonTokenKind.Name, start, _pos);
        }

        private void ReadNumber()
        {
            var match = NumberPattern().Match(source, _pos);
            var start = _pos;
            _pos += Math.Max(match.Length, 1);
            Add(PythonTokenKind.Number, start, _pos);
        }

        private void ReadString(int start, int quoteAt)
        {
            var startLine = _line;
            var quote = source[quoteAt];
            var triple = quoteAt + 2 < source.Length && source[quoteAt + 1] == quote && source[quoteAt + 2] == quote;
            var p = quoteAt + (triple ? 3 : 1);
            while (true)
            {
                if (p >= source.Length)
                {
                    throw new PythonSyntaxException(startLine, triple
                        ? $"unterminated triple-quoted string literal (detected at line {_line})"
                        : $"unterminated string literal (detected at line {_line})");
                }

                var c = source[p];
                if (c == '\\')
                {
                    if (p + 1 < source.Length && source[p + 1] == '\n')
                    {
                        _line++;
                    }

                    p += 2;
                    continue;
                }

                if (c == '\n')
                {
                    if (!triple)
                    {
                        throw new PythonSyntaxException(startLine, $"unterminated string literal (detected at line {_line})");
                    }

                    _line++;
                    p++;
                    continue;
                }

                if (c == quote)
                {
                    if (!triple)
                    {
                        p++;
                        break;
                    }

                    if (p + 2 < source.Length && source[p + 1] == quote && source[p + 2] == quote)
                    {
                        p += 3;
                        break;
                    }
                }

                p++;
            }

            _pos = p;
            Tokens.Add(new PythonToken(PythonTokenKind.String, startLine, start, p, source));
        }

        private void ReadOperator(char c)
        {
            foreach (var op in Operators)
            {
                if (string.CompareOrdinal(source, _pos, op, 0, op.Length) != 0)
                {
                    continue;
                }

                if (op is "(" or "[" or "{")
                {
                    if (_brackets.Count >= MaxBracketDepth)
                    {
                        throw new PythonSyntaxException(_line, "too many nested parentheses");
                    }

                    _brackets.Push((c, _line));
                }
                else if (op is ")" or "]" or "}")
                {
                    CloseBracket(c);
                }

                Add(PythonTokenKind.Operator, _pos, _pos + op.Length);
                _pos += op.Length;
                return;
            }

            if (char.IsControl(c))
            {
                throw new PythonSyntaxException(_line, $"invalid non-printable character U+{(int)c:X4}");
            }

            var text = char.IsHighSurrogate(c) && _pos + 1 < source.Length && char.IsLowSurrogate(source[_pos + 1])
                ? source.Substring(_pos, 2)
                : c.ToString();
            var codePoint = text.Length == 2 ? char.ConvertToUtf32(text[0], text[1]) : c;
            throw new PythonSyntaxException(_line, $"invalid character '{text}' (U+{codePoint:X4})");
        }

        private void CloseBracket(char close)
        {
            if (_brackets.Count == 0)
            {
                throw new PythonSyntaxException(_line, $"unmatched '{close}'");
            }

            var (open, line) = _brackets.Pop();
            var expected = open switch { '(' => ')', '[' => ']', _ => '}' };
            if (close != expected)
            {
                var where = line == _line ? "" : $" on line {line}";
                throw new PythonSyntaxException(_line, $"closing parenthesis '{close}' does not match opening parenthesis '{open}'{where}");
            }
        }

        private void Finish()
        {
            if (_brackets.Count > 0)
            {
                var (open, line) = _brackets.Peek();
                throw new PythonSyntaxException(line, $"'{open}' was never closed");
            }

            if (Tokens.Count > 0 && Tokens[^1].Kind is not (PythonTokenKind.Newline or PythonTokenKind.Dedent))
            {
                Add(PythonTokenKind.Newline, _pos, _pos);
            }

            while (_indents.Count > 1)
            {
                _indents.Pop();
                Add(PythonTokenKind.Dedent, _pos, _pos);
            }

            Add(PythonTokenKind.EndOfFile, _pos, _pos);
        }

        private void Add(PythonTokenKind kind, int start, int end) =>
            Tokens.Add(new PythonToken(kind, _line, start, end, source));
    }
}
