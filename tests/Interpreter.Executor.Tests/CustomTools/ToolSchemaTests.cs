using Interpreter.Executor.CustomTools;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>Signatures and the exact draft-07 schema each one must produce (compared structurally).</summary>
public sealed class ToolSchemaTests
{
    public static TheoryData<string, string, string> Signatures => new()
    {
        { "str", "def f(a: str): pass", Schema("""{"a":{"type":"string"}}""", "a") },
        { "int", "def f(a: int): pass", Schema("""{"a":{"type":"integer"}}""", "a") },
        { "float", "def f(a: float): pass", Schema("""{"a":{"type":"number"}}""", "a") },
        { "bool", "def f(a: bool): pass", Schema("""{"a":{"type":"boolean"}}""", "a") },
        { "None", "def f(a: None): pass", Schema("""{"a":{"type":"null"}}""", "a") },
        { "Any", "from typing import Any\ndef f(a: Any): pass", Schema("""{"a":{}}""", "a") },
        { "object is Any", "def f(a: object): pass", Schema("""{"a":{}}""", "a") },
        { "list[int]", "def f(a: list[int]): pass", Schema("""{"a":{"type":"array","items":{"type":"integer"}}}""", "a") },
        { "List[str]", "from typing import List\ndef f(a: List[str]): pass", Schema("""{"a":{"type":"array","items":{"type":"string"}}}""", "a") },
        { "bare list", "def f(a: list): pass", Schema("""{"a":{"type":"array"}}""", "a") },
        { "dict[str, int]", "def f(a: dict[str, int]): pass", Schema("""{"a":{"type":"object","additionalProperties":{"type":"integer"}}}""", "a") },
        { "Dict[str, Any]", "from typing import Any, Dict\ndef f(a: Dict[str, Any]): pass", Schema("""{"a":{"type":"object"}}""", "a") },
        { "set[int]", "def f(a: set[int]): pass", Schema("""{"a":{"type":"array","uniqueItems":true,"items":{"type":"integer"}}}""", "a") },
        { "frozenset[str]", "def f(a: frozenset[str]): pass", Schema("""{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}""", "a") },
        { "tuple[int, str]", "def f(a: tuple[int, str]): pass", Schema("""{"a":{"type":"array","items":[{"type":"integer"},{"type":"string"}],"minItems":2,"maxItems":2}}""", "a") },
        { "tuple[float, ...]", "def f(a: tuple[float, ...]): pass", Schema("""{"a":{"type":"array","items":{"type":"number"}}}""", "a") },
        { "Tuple[int, ...]", "import typing\ndef f(a: typing.Tuple[int, ...]): pass", Schema("""{"a":{"type":"array","items":{"type":"integer"}}}""", "a") },
        { "tuple[()]", "def f(a: tuple[()]): pass", Schema("""{"a":{"type":"array","maxItems":0}}""", "a") },
        { "Optional[int]", "from typing import Optional\ndef f(a: Optional[int]): pass", Schema("""{"a":{"anyOf":[{"type":"integer"},{"type":"null"}]}}""", "a") },
        { "int | None", "def f(a: int | None): pass", Schema("""{"a":{"anyOf":[{"type":"integer"},{"type":"null"}]}}""", "a") },
        { "Union[int, str, None]", "from typing import Union\ndef f(a: Union[int, str, None]): pass", Schema("""{"a":{"anyOf":[{"type":"integer"},{"type":"string"},{"type":"null"}]}}""", "a") },
        { "nested unions flatten", "from typing import Optional, Union\ndef f(a: Optional[Union[int, None]] | str): pass", Schema("""{"a":{"anyOf":[{"type":"integer"},{"type":"null"},{"type":"string"}]}}""", "a") },
        { "Optional[Any] is Any", "from typing import Any, Optional\ndef f(a: Optional[Any]): pass", Schema("""{"a":{}}""", "a") },
        { "Literal of str", "from typing import Literal\ndef f(a: Literal['x', 'y']): pass", Schema("""{"a":{"type":"string","enum":["x","y"]}}""", "a") },
        { "Literal of int", "from typing import Literal\ndef f(a: Literal[1, 2, -3]): pass", Schema("""{"a":{"type":"integer","enum":[1,2,-3]}}""", "a") },
        { "Literal of bool", "from typing import Literal\ndef f(a: Literal[True]): pass", Schema("""{"a":{"type":"boolean","enum":[true]}}""", "a") },
        { "Literal mix", "from typing import Literal\ndef f(a: Literal['x', 1, False, None, 'y']): pass", Schema("""{"a":{"anyOf":[{"type":"string","enum":["x","y"]},{"type":"integer","enum":[1]},{"type":"boolean","enum":[false]},{"type":"null"}]}}""", "a") },
        { "nested Literal", "from typing_extensions import Literal\ndef f(a: Literal[Literal['a'], 'b']): pass", Schema("""{"a":{"type":"string","enum":["a","b"]}}""", "a") },
        { "Optional Literal", "from typing import Literal, Optional\ndef f(a: Optional[Literal['a', 'b']] = None): pass", Schema("""{"a":{"anyOf":[{"type":"string","enum":["a","b"]},{"type":"null"}],"default":null}}""") },
        { "datetime", "from datetime import datetime\ndef f(a: datetime): pass", Schema("""{"a":{"type":"string","format":"date-time"}}""", "a") },
        { "date", "from datetime import date\ndef f(a: date): pass", Schema("""{"a":{"type":"string","format":"date"}}""", "a") },
        { "time", "from datetime import time\ndef f(a: time): pass", Schema("""{"a":{"type":"string","format":"time"}}""", "a") },
        { "timedelta", "from datetime import timedelta\ndef f(a: timedelta): pass", Schema("""{"a":{"type":"string","format":"duration"}}""", "a") },
        { "module-qualified datetime", "import datetime as dt\nimport datetime\ndef f(a: dt.date, b: datetime.datetime): pass", Schema("""{"a":{"type":"string","format":"date"},"b":{"type":"string","format":"date-time"}}""", "a", "b") },
        { "Path", "from pathlib import Path\ndef f(a: Path): pass", Schema("""{"a":{"type":"string"}}""", "a") },
        { "pathlib.Path", "import pathlib\ndef f(a: pathlib.Path): pass", Schema("""{"a":{"type":"string"}}""", "a") },
        { "bytes", "def f(a: bytes): pass", Schema("""{"a":{"type":"string","contentEncoding":"base64"}}""", "a") },
        { "nested generics", "def f(a: dict[str, list[int | None]]): pass", Schema("""{"a":{"type":"object","additionalProperties":{"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"null"}]}}}}""", "a") },
        { "deep nesting", "from typing import Dict, List, Tuple\ndef f(a: List[Dict[str, Tuple[int, List[str]]]]): pass", Schema("""{"a":{"type":"array","items":{"type":"object","additionalProperties":{"type":"array","minItems":2,"maxItems":2,"items":[{"type":"integer"},{"type":"array","items":{"type":"string"}}]}}}}""", "a") },
        { "typing alias", "import typing as t\ndef f(a: t.Optional[t.List[int]], b: t.Dict[str, t.Any]): pass", Schema("""{"a":{"anyOf":[{"type":"array","items":{"type":"integer"}},{"type":"null"}]},"b":{"type":"object"}}""", "a", "b") },
        { "aliased from-import", "from typing import Optional as Opt, List as L\ndef f(a: Opt[L[str]]): pass", Schema("""{"a":{"anyOf":[{"type":"array","items":{"type":"string"}},{"type":"null"}]}}""", "a") },
        { "unimported typing names", "def f(a: List[Optional[int]]): pass", Schema("""{"a":{"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"null"}]}}}""", "a") },
        { "string annotation", "def f(a: 'list[int]', b: \"Optional[str]\" = None): pass", Schema("""{"a":{"type":"array","items":{"type":"integer"}},"b":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null}}""", "a") },
        { "string inside generic", "from typing import List\ndef f(a: List['dict[str, float]']): pass", Schema("""{"a":{"type":"array","items":{"type":"object","additionalProperties":{"type":"number"}}}}""", "a") },
        { "Annotated", "from typing import Annotated\ndef f(a: Annotated[int, 'the count']): pass", Schema("""{"a":{"type":"integer"}}""", "a") },
        { "defaults not required", "def f(a: int, b: int = 5, c: str = 'hi', d: float = -1.5, e: bool = True): pass", Schema("""{"a":{"type":"integer"},"b":{"type":"integer","default":5},"c":{"type":"string","default":"hi"},"d":{"type":"number","default":-1.5},"e":{"type":"boolean","default":true}}""", "a") },
        { "container defaults", "def f(a: list[int] = [1, 2], b: tuple[int, int] = (3, 4), c: set[str] = {'x'}, d: dict[str, int] = {'k': 1}, e: bytes = b'hi', g: int = 0x10): pass", Schema("""{"a":{"type":"array","items":{"type":"integer"},"default":[1,2]},"b":{"type":"array","items":[{"type":"integer"},{"type":"integer"}],"minItems":2,"maxItems":2,"default":[3,4]},"c":{"type":"array","uniqueItems":true,"items":{"type":"string"},"default":["x"]},"d":{"type":"object","additionalProperties":{"type":"integer"},"default":{"k":1}},"e":{"type":"string","contentEncoding":"base64","default":"aGk="},"g":{"type":"integer","default":16}}""") },
        { "non-literal default", "from datetime import datetime\ndef f(a: datetime = datetime.now(), b: int = 2 * 3, c: str = lambda x, y: 'z'): pass", Schema("""{"a":{"type":"string","format":"date-time"},"b":{"type":"integer"},"c":{"type":"string"}}""") },
        { "keyword-only", "def f(a: int, *, b: str, c: bool = False): pass", Schema("""{"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"boolean","default":false}}""", "a", "b") },
        { "async def", "async def f(a: int) -> int:\n    return a", Schema("""{"a":{"type":"integer"}}""", "a") },
        { "no parameters", "def f() -> str:\n    return 'x'", Schema("{}") },
        { "dict of optional", "from typing import Optional\ndef f(a: dict[str, Optional[float]] = {}): pass", Schema("""{"a":{"type":"object","additionalProperties":{"anyOf":[{"type":"number"},{"type":"null"}]},"default":{}}}""") },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Parse_ProducesExactSchema_WhenSignatureUsesType(string name, string source, string expectedSchema)
    {
        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty(name);
        result.Tool!.Name.ShouldBe("f");
        JsonAssert.Equivalent(result.Tool.InputSchemaJson, expectedSchema, name);
    }

    [Fact]
    public void Parse_ResolvesDeepNesting_WhenWithinCPythonLimit()
    {
        var source = "def f(a: " + string.Concat(Enumerable.Repeat("list[", 150)) + "int" + new string(']', 150)
            + " = " + new string('[', 199) + new string(']', 199) + "): pass";

        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty();
        result.Tool!.InputSchemaJson.ShouldContain("\"default\":[[[");
    }

    [Fact]
    public void Parse_AcceptsManyParameters_WhenAtTheLimit()
    {
        var source = "def f(" + string.Join(", ", Enumerable.Range(0, CustomToolParser.MaxParameters).Select(i => $"p{i}: int = {i}")) + "): pass";

        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty();
        System.Text.Json.Nodes.JsonNode.Parse(result.Tool!.InputSchemaJson)!["properties"]!.AsObject().Count.ShouldBe(CustomToolParser.MaxParameters);
    }

    [Fact]
    public void Signatures_CoverAtLeastThirtyCases_WhenCounted()
    {
        Signatures.Count.ShouldBeGreaterThanOrEqualTo(30);
    }

    [Fact]
    public void Parse_WritesCompactJsonWithDraft07First_WhenToolParsed()
    {
        var result = new CustomToolParser().Parse("def f(a: int): pass");

        result.Tool!.InputSchemaJson.ShouldStartWith("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"");
        result.Tool.InputSchemaJson.ShouldNotContain("\n");
    }

    [Fact]
    public void Parse_MatchesReferenceExample_WhenGivenItsSource()
    {
        const string source = "def my_tool(param1: str, param2: int) -> str:\n    \"\"\"Tool description\n    :param param1: Description of param1\n    :param param2: Description of param2\n    :return: Description of return value\n    \"\"\"\n    return f\"Result: {param1}, {param2}\"";

        var result = new CustomToolParser().Parse(source);

        result.Tool!.Name.ShouldBe("my_tool");
        result.Tool.Description.ShouldBe("Tool description\n\nReturns: str -- Description of return value");
        JsonAssert.Equivalent(result.Tool.InputSchemaJson, """
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"my_tool","type":"object","additionalProperties":false,
             "required":["param1","param2"],
             "properties":{"param1":{"type":"string","description":"Description of param1"},
                           "param2":{"type":"integer","description":"Description of param2"}}}
            """);
    }

    private static string Schema(string properties, params string[] required)
    {
        var requiredJson = required.Length == 0 ? "" : "\"required\":[" + string.Join(",", required.Select(r => "\"" + r + "\"")) + "],";
        return "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"title\":\"f\",\"type\":\"object\",\"additionalProperties\":false,"
            + requiredJson + "\"properties\":" + properties + "}";
    }
}
