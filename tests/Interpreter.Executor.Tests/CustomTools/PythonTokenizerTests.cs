using Interpreter.Executor.CustomTools.Parsing;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>The tokenizer follows Python's rules for the lexical corners tools run into.</summary>
public sealed class PythonTokenizerTests
{
    [Theory]
    [InlineData("'abc'", "abc")]
    [InlineData("\"a'b\"", "a'b")]
    [InlineData("'a\\'b'", "a'b")]
    [InlineData("r'a\\'b'", "a\\'b")]
    [InlineData("R'\\d+'", "\\d+")]
    [InlineData("u'x\\u00e9'", "x\u00e9")]
    [InlineData("'\\N{BULLET}'", "\\N{BULLET}")]
    [InlineData("'''a\n\"b\"\n'c' '''", "a\n\"b\"\n'c' ")]
    [InlineData("\"\"\"a\"\"b\\\"\"\"\"", "a\"\"b\"")]
    [InlineData("'line\\\ncontinued'", "linecontinued")]
    [InlineData("'\\101\\x42\\U0001F600'", "AB\U0001F600")]
    public void Decode_ReturnsValue_WhenStringLiteral(string literal, string value)
    {
        var tokens = PythonTokenizer.Tokenize(literal);

        tokens[0].Kind.ShouldBe(PythonTokenKind.String);
        tokens[0].Text.ShouldBe(literal);
        PythonStringLiteral.Decode(tokens[0].Text).Value.ShouldBe(value);
    }

    [Theory]
    [InlineData("b'hi'", true, false)]
    [InlineData("Rb'hi'", true, false)]
    [InlineData("bR'hi'", true, false)]
    [InlineData("f'{x}'", false, true)]
    [InlineData("rf'{x}'", false, true)]
    [InlineData("FR'{x}'", false, true)]
    public void Decode_RecognisesPrefix_WhenStringHasOne(string literal, bool isBytes, bool isFormatted)
    {
        var decoded = PythonStringLiteral.Decode(PythonTokenizer.Tokenize(literal)[0].Text);

        decoded.IsBytes.ShouldBe(isBytes);
        decoded.IsFormatted.ShouldBe(isFormatted);
    }

    [Fact]
    public void Tokenize_JoinsLines_WhenInsideBracketsOrAfterBackslash()
    {
        const string source = "x = (1,\n     2) + \\\n    3  # comment\ny = [\n  4,  # inner comment\n]\n";

        var kinds = PythonTokenizer.Tokenize(source).Select(t => t.Kind).ToList();

        kinds.Count(k => k == PythonTokenKind.Newline).ShouldBe(2);
        kinds.ShouldNotContain(PythonTokenKind.Indent);
    }

    [Fact]
    public void Tokenize_EmitsIndentAndDedent_WhenBlocksNest()
    {
        const string source = "if a:\n    if b:\n\n        # comment at another depth\n  # another\n        c\nd\n";

        var tokens = PythonTokenizer.Tokenize(source);

        string.Join(" ", tokens.Select(t => t.Kind switch
        {
            PythonTokenKind.Indent => "INDENT",
            PythonTokenKind.Dedent => "DEDENT",
            PythonTokenKind.Newline => "NL",
            PythonTokenKind.EndOfFile => "END",
            _ => t.Text,
        })).ShouldBe("if a : NL INDENT if b : NL INDENT c NL DEDENT DEDENT d NL END");
    }

    [Theory]
    [InlineData("1_000", "1_000")]
    [InlineData("0x1F", "0x1F")]
    [InlineData("1.5e-3", "1.5e-3")]
    [InlineData(".5", ".5")]
    [InlineData("3j", "3j")]
    [InlineData("0b1010", "0b1010")]
    public void Tokenize_ReadsNumber_WhenLiteralHasAnyForm(string literal, string text)
    {
        var tokens = PythonTokenizer.Tokenize(literal);

        tokens[0].Kind.ShouldBe(PythonTokenKind.Number);
        tokens[0].Text.ShouldBe(text);
    }

    [Fact]
    public void Tokenize_ReadsOperatorsLongestFirst_WhenAdjacent()
    {
        var tokens = PythonTokenizer.Tokenize("a->b**=c...d:=e");

        tokens.Where(t => t.Kind == PythonTokenKind.Operator).Select(t => t.Text).ShouldBe(["->", "**=", "...", ":="]);
    }

    [Fact]
    public void Normalize_UsesUniversalNewlines_WhenSourceHasCrLfAndBom()
    {
        var normalized = PythonTokenizer.Normalize("\uFEFFdef f(a: int):\r\n    return a\r");

        normalized.ShouldBe("def f(a: int):\n    return a\n");
    }

    [Fact]
    public void Tokenize_ThrowsWithLine_WhenSourceHasNullByte()
    {
        var error = Should.Throw<PythonSyntaxException>(() => PythonTokenizer.Tokenize("x = 1\ny = '\0'\n z\0"));

        error.Line.ShouldBe(3);
        error.Message.ShouldBe("source code cannot contain null bytes");
    }
}
