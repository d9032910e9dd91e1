using Interpreter.Executor.CustomTools;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>Everything around the one def is stepped over, never evaluated, and cannot confuse the parser.</summary>
public sealed class ModuleParsingTests
{
    [Fact]
    public void Parse_SkipsModuleStatements_WhenSourceHasThem()
    {
        const string source = """"
            import os; os.system("touch /tmp/pwned")
            from typing import (
                Optional,
                List as L,
            )
            import typing as t, collections.abc
            X = {"def": "not a function", 'y': [1, 2]}

            class Helper:
                def method(self, anything):
                    return anything

            @decorator(with_args=lambda a, b: a)
            def tool(a: L[int], b: t.Optional[str] = None) -> dict:
                '''Does things.'''
                def inner(x, *args, **kwargs):
                    def deeper():
                        pass
                    return x
                s = """
            def not_top_level(): pass
            """
                return {"a": a}

            if __name__ == "__main__":
                def demo(): pass
                print(tool([1]))
            """";

        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty();
        result.Tool!.Name.ShouldBe("tool");
        result.Tool.Description.ShouldBe("Does things.\n\nReturns: dict");
        JsonAssert.Equivalent(result.Tool.InputSchemaJson, """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"tool","type":"object","additionalProperties":false,
             "required":["a"],
             "properties":{"a":{"type":"array","items":{"type":"integer"}},"b":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}}
            """);
    }

    [Fact]
    public void Parse_DoesNotRunCode_WhenModuleWouldTouchFiles()
    {
        var marker = Path.Combine(Path.GetTempPath(), "computesandbox-parse-" + Guid.NewGuid().ToString("N"));
        var source = $"import os\nos.system('touch {marker}')\nopen('{marker}', 'w').write('x')\ndef f(a: int) -> int:\n    return a\n";

        var result = new CustomToolParser().Parse(source);

        result.Tool.ShouldNotBeNull();
        File.Exists(marker).ShouldBeFalse();
    }

    [Fact]
    public void Parse_ReadsSignature_WhenHeaderSpansLinesWithComments()
    {
        const string source = "def f(  # the tool\n    a: int,  # first\n    b: 'dict[str, int]' = {'k':\n 1},\n) -> None: pass";

        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty();
        JsonAssert.Equivalent(result.Tool!.InputSchemaJson, """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"f","type":"object","additionalProperties":false,
             "required":["a"],
             "properties":{"a":{"type":"integer"},"b":{"type":"object","additionalProperties":{"type":"integer"},"default":{"k":1}}}}
            """);
    }
}
