using Interpreter.Executor.CustomTools;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>Every message the parser can return, word for word, and that all problems come back at once.</summary>
public sealed class ParseErrorTests
{
    public static TheoryData<string, string, string> Errors => new()
    {
        { "unterminated string", "def f(a: int):\n    return 'abc\n", "Syntax error at line 2: unterminated string literal (detected at line 2)." },
        { "unterminated triple-quoted string", "def f(a: int):\n    \"\"\"Doc\n\n    return a\n", "Syntax error at line 2: unterminated triple-quoted string literal (detected at line 5)." },
        { "never closed", "def f(a: int:\n    return a\n", "Syntax error at line 1: '(' was never closed." },
        { "mismatched bracket", "def f(a: list[int)):\n    pass", "Syntax error at line 1: closing parenthesis ')' does not match opening parenthesis '['." },
        { "unmatched closer", "x = 1)\ndef f(a: int): pass", "Syntax error at line 1: unmatched ')'." },
        { "bad dedent", "def f(a: int):\n        x = 1\n    return x\n", "Syntax error at line 3: unindent does not match any outer indentation level." },
        { "unexpected indent", "import os\n    import sys\ndef f(a: int): pass", "Syntax error at line 2: unexpected indent." },
        { "missing body", "def f(a: int):\nx = 1\n", "Syntax error at line 2: expected an indented block after function definition on line 1." },
        { "missing colon", "def f(a: int)\n    pass", "Syntax error at line 1: invalid syntax: expected ':' after the parameter list of 'f', found the end of the line." },
        { "invalid character", "def f(a: int): return a ? 1", "Syntax error at line 1: invalid character '?' (U+003F)." },
        { "backslash not at end of line", "x = 1 \\ 2\ndef f(a: int): pass", "Syntax error at line 1: unexpected character after line continuation character." },
        { "default order", "def f(a: int = 1, b: str):\n    pass", "Syntax error at line 1: parameter without a default follows parameter with a default." },
        { "duplicate parameter", "def f(a: int, a: str):\n    pass", "Syntax error at line 1: duplicate argument 'a' in function definition." },
        { "keyword as name", "def class(a: int):\n    pass", "Syntax error at line 1: invalid syntax: expected a function name after 'def', found 'class'." },
        { "bare star at end", "def f(a: int, *):\n    pass", "Syntax error at line 1: named arguments must follow bare *." },
        { "nesting deeper than CPython allows", "def f(a: " + string.Concat(Enumerable.Repeat("list[", 201)) + "int" + new string(']', 201) + "): pass", "Syntax error at line 1: too many nested parentheses." },
        { "too many parameters", "def f(" + string.Join(", ", Enumerable.Range(0, 1001).Select(i => $"p{i}: int")) + "): pass", "Function 'f' (line 1) has 1001 parameters; a tool may have at most 1000." },
        { "no function", "import os\nx = 1\n", "No function found: the source must define exactly one top-level function (def)." },
        { "empty source", "   \n# just a comment\n", "No function found: the source must define exactly one top-level function (def)." },
        { "two functions", "def a(x: int): pass\n\nasync def b(y: int):\n    pass\n", "The source defines 2 top-level functions ('a' at line 1, 'b' at line 3); it must define exactly one." },
        { "*args", "def f(a: int, *args: int): pass", "Parameter '*args' (line 1): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter)." },
        { "**kwargs", "def f(a: int, **kwargs): pass", "Parameter '**kwargs' (line 1): variable keyword parameters (**kwargs) are not supported; a tool takes named parameters (use e.g. a dict[str, ...] parameter)." },
        { "positional-only", "def f(a: int, b: str, /, c: int): pass", "Positional-only parameters are not supported: 'a', 'b' come before '/' (line 1); remove the '/'." },
        { "missing annotation", "def f(a): pass", "Parameter 'a' (line 1) has no type annotation; annotate it, e.g. 'a: str'." },
        { "unsupported type", "def f(a: Foo): pass", "Parameter 'a' (line 1): unsupported type 'Foo'." },
        { "unsupported nested type", "def f(a: dict[str, list[Foo]]): pass", "Parameter 'a' (line 1): unsupported type 'Foo' in 'dict[str, list[Foo]]'." },
        { "imported class", "from pydantic import BaseModel\ndef f(a: BaseModel): pass", "Parameter 'a' (line 2): unsupported type 'BaseModel'." },
        { "shadowed typing name", "from mylib import List\ndef f(a: List[int]): pass", "Parameter 'a' (line 2): unsupported type 'List[int]'." },
        { "unsupported generic", "from typing import Callable\ndef f(a: Callable[[int], str]): pass", "Parameter 'a' (line 2): unsupported type 'Callable[[int], str]'." },
        { "non-str dict key", "def f(a: dict[int, str]): pass", "Parameter 'a' (line 1): dict keys must be str (JSON object keys are strings), not 'int'." },
        { "wrong arity", "def f(a: list[int, str]): pass", "Parameter 'a' (line 1): 'list[int, str]' must have exactly 1 type argument, not 2." },
        { "bare Optional", "from typing import Optional\ndef f(a: Optional): pass", "Parameter 'a' (line 2): 'Optional' needs type arguments, e.g. Optional[...]." },
        { "float Literal", "from typing import Literal\ndef f(a: Literal[1.5]): pass", "Parameter 'a' (line 2): Literal value '1.5' is not supported (only str, int, bool and None literals are)." },
        { "bad ellipsis", "def f(a: tuple[..., int]): pass", "Parameter 'a' (line 1): 'tuple[..., int]' is not a valid tuple type: use tuple[A, B] for fixed items or tuple[T, ...] for any number." },
        { "bad string annotation", "def f(a: 'list[int'): pass", "Parameter 'a' (line 1): the annotation string 'list[int' is not a valid type expression." },
        { "call as annotation", "def f(a: foo(1)): pass", "Parameter 'a' (line 1): unsupported annotation 'foo(1)'." },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_ReturnsExactMessage_WhenSourceHasProblem(string name, string source, string message)
    {
        var result = new CustomToolParser().Parse(source);

        result.Tool.ShouldBeNull(name);
        result.Details.ShouldBe([message], name);
    }

    [Fact]
    public void Parse_ReportsEveryProblem_WhenSeveralAtOnce()
    {
        const string source = "def a(x, y: Foo, /, z: dict[int, str], *args, w: list[Bar], **kwargs):\n    pass\n\ndef b(): pass\n";

        var result = new CustomToolParser().Parse(source);

        result.Tool.ShouldBeNull();
        result.Details.ShouldBe(
        [
            "The source defines 2 top-level functions ('a' at line 1, 'b' at line 4); it must define exactly one.",
            "Positional-only parameters are not supported: 'x', 'y' come before '/' (line 1); remove the '/'.",
            "Parameter 'x' (line 1) has no type annotation; annotate it, e.g. 'x: str'.",
            "Parameter 'y' (line 1): unsupported type 'Foo'.",
            "Parameter 'z' (line 1): dict keys must be str (JSON object keys are strings), not 'int'.",
            "Parameter '*args' (line 1): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter).",
            "Parameter 'w' (line 1): unsupported type 'Bar' in 'list[Bar]'.",
            "Parameter '**kwargs' (line 1): variable keyword parameters (**kwargs) are not supported; a tool takes named parameters (use e.g. a dict[str, ...] parameter).",
        ]);
    }

    [Fact]
    public void Parse_ReportsEachUnsupportedPart_WhenAnnotationHasSeveral()
    {
        var result = new CustomToolParser().Parse("def f(a: dict[str, Foo] | Bar): pass");

        result.Details.ShouldBe(
        [
            "Parameter 'a' (line 1): unsupported type 'Foo' in 'dict[str, Foo] | Bar'.",
            "Parameter 'a' (line 1): unsupported type 'Bar' in 'dict[str, Foo] | Bar'.",
        ]);
    }

    [Fact]
    public void Parse_GivesLineOfParameter_WhenSignatureSpansLines()
    {
        var result = new CustomToolParser().Parse("def f(\n    a: int,\n    b,\n):\n    pass");

        result.Details.ShouldBe(["Parameter 'b' (line 3) has no type annotation; annotate it, e.g. 'b: str'."]);
    }
}
