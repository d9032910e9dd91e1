using Interpreter.Executor.CustomTools;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>
/// The reference service's own words: its <c>error_messages</c> for its own cases, its description layout, and
/// Python's own parser for the syntax of the whole source (function bodies too), which never runs the code.
/// </summary>
public sealed class ReferenceParityTests
{
    private static readonly CustomToolParser Parser = new(new ProcessPythonSyntaxCheck(NullLogger<ProcessPythonSyntaxCheck>.Instance));

    public static TheoryData<string, string, string[]> ReferenceErrors => new()
    {
        { "positional-only", "def f(a: int, /, b: int): pass", ["The tool function must not have positional-only arguments"] },
        { "*args", "def f(a: int, *args: int): pass", ["The tool function must not have *args"] },
        { "**kwargs", "def f(a: int, **kwargs): pass", ["The tool function must not have **kwargs"] },
        { "missing annotations, said once", "def f(a, b, c: int): pass", ["The tool function arguments must have type annotations"] },
        {
            "all four kinds at once", "def f(a, /, b: int, *args, **kwargs): pass",
            [
                "The tool function must not have positional-only arguments",
                "The tool function arguments must have type annotations",
                "The tool function must not have *args",
                "The tool function must not have **kwargs",
            ]
        },
        { "no function", "import os\n", ["The tool source code must only define a single function, optionally preceded by imports."] },
        { "two functions", "def a(x: int): pass\ndef b(y: int): pass\n", ["The tool source code must only define a single function, optionally preceded by imports."] },
        { "syntax error in the signature", "def f(a: int:\n    return a\n", ["Syntax error: invalid syntax on line 1"] },
        { "call as annotation", "def f(a: foo(1)): pass", ["Invalid type annotation `foo(1)`"] },
    };

    [Theory]
    [MemberData(nameof(ReferenceErrors))]
    public void Parse_ReturnsTheReferencesMessages_WhenTheSourceHasItsProblems(string name, string source, string[] messages)
    {
        var result = Parser.Parse(source);

        result.Tool.ShouldBeNull(name);
        result.Errors.ShouldBe(messages, name);
        result.Details.Count.ShouldBeGreaterThanOrEqualTo(messages.Length, name);
    }

    public static TheoryData<string, string> BodySyntaxErrors => new()
    {
        { "def f(a: int):\n    x = = 1\n    return x\n", "Syntax error: invalid syntax on line 2" },
        { "def f(a: int):\n    return a +\n", "Syntax error: invalid syntax on line 2" },
        { "import os\ndef f(a: int):\n    if a\n        return 1\n", "Syntax error: expected ':' on line 3" },
        { "def f(a: int):\n    print 'hello'\n", "Syntax error: Missing parentheses in call to 'print'. Did you mean print(...)? on line 2" },
    };

    [Theory]
    [MemberData(nameof(BodySyntaxErrors))]
    public void Parse_ReturnsPythonsSyntaxErrorWithItsLine_WhenTheBodyIsNotPython(string source, string message)
    {
        var result = Parser.Parse(source);

        result.Tool.ShouldBeNull();
        result.Errors.ShouldBe([message]);
    }

    [Fact]
    public void Parse_NeverRunsTheSource_WhenCheckingItsSyntax()
    {
        var marker = Path.Combine(Path.GetTempPath(), "parse-ran-" + Guid.NewGuid().ToString("N"));
        var source = $"open({marker!.Replace("\\", "\\\\")!.Insert(0, "'")}', 'w').write('ran')\nimport os\nos.system('touch {marker}')\ndef f(a: int):\n    return a\n";

        var result = Parser.Parse(source);

        result.Tool.ShouldNotBeNull(string.Join("; ", result.Details));
        File.Exists(marker).ShouldBeFalse();
    }

    [Theory]
    [InlineData("def f(a: int) -> int:\n    \"\"\"Does it.\n\n    :return: something great\n    \"\"\"\n    return a\n", "Does it.\n\nReturns: int -- something great")]
    [InlineData("def f(a: int):\n    \"\"\"Does it.\n\n    :return: something great\n    \"\"\"\n    return a\n", "Does it.\n\nReturns: something great")]
    [InlineData("def f(a: int) -> dict[str,  list[int]]:\n    \"\"\"Does it.\"\"\"\n    return {}\n", "Does it.\n\nReturns: dict[str, list[int]]")]
    [InlineData("def f(a: int) -> \"int | None\":\n    \"\"\"Does it.\"\"\"\n    return a\n", "Does it.\n\nReturns: 'int | None'")]
    [InlineData("def f(a: int) -> int:\n    return a\n", "Returns: int")]
    public void Parse_DescribesTheReturnAsTheReference_WhenAnnotatedOrDocumented(string source, string description)
    {
        var result = Parser.Parse(source);

        result.Tool.ShouldNotBeNull(string.Join("; ", result.Details));
        result.Tool.Description.ShouldBe(description);
    }
}
