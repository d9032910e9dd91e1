using System.Net;
using System.Text.Json.Nodes;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.CustomTools;

/// <summary>POST /v1/execute-custom-tool against real sandboxes.</summary>
[Collection(DockerCollection.Name)]
public sealed class ExecuteCustomToolTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteCustomTool_ReturnsSum_WhenToolAddsTwoInts()
    {
        const string source = "def add(a: int, b: int) -> int:\n    \"\"\"Adds two numbers.\"\"\"\n    return a + b\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"a": 2, "b": 40}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body.Select(p => p.Key).ShouldBe(["tool_output_json"]);
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("42");
    }

    [Fact]
    public async Task ExecuteCustomTool_MatchesReferenceExample_WhenToolFormatsString()
    {
        const string source = "def my_tool(param1: str, param2: int) -> str:\n    return f\"Result: {param1}, {param2}\"";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"param1": "hello", "param2": 42}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("\"Result: hello, 42\"");
    }

    [Fact]
    public async Task ExecuteCustomTool_PassesDatetime_WhenArgumentIsIsoString()
    {
        const string source = """
            from datetime import datetime, timedelta
            def later(when: datetime, hours: int) -> dict:
                return {"type": type(when).__name__, "tz": str(when.tzinfo), "later": when + timedelta(hours=hours)}
            """;

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"when": "2024-05-01T22:30:00Z", "hours": 3}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        OutputShouldBe(answer, """{"type":"datetime","tz":"UTC","later":"2024-05-02T01:30:00+00:00"}""");
    }

    [Fact]
    public async Task ExecuteCustomTool_SumsValues_WhenArgumentIsListOfDicts()
    {
        const string source = """
            from typing import List, Dict
            def total(rows: List[Dict[str, float]], key: str) -> dict:
                return {"total": sum(r[key] for r in rows), "count": len(rows), "types": sorted({type(r[key]).__name__ for r in rows})}
            """;

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"rows": [{"x": 1}, {"x": 2.5}, {"x": 3, "y": 9}], "key": "x"}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        OutputShouldBe(answer, """{"total":6.5,"count":3,"types":["float"]}""");
    }

    [Fact]
    public async Task ExecuteCustomTool_UsesDefault_WhenArgumentOmitted()
    {
        const string source = "def greet(name: str, greeting: str = 'Hello', *, punctuation: str = '!') -> str:\n    return f'{greeting}, {name}{punctuation}'\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"name": "Ada"}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("\"Hello, Ada!\"");
    }

    [Fact]
    public async Task ExecuteCustomTool_ReturnsCleanResult_WhenToolPrintsToStdout()
    {
        const string source = """
            import os, subprocess, sys
            print("loading the module")
            def noisy(n: int) -> list[int]:
                print("about to compute", n)
                print('{"looks": "like json"}')
                sys.stdout.write("no newline")
                os.write(1, b"straight to fd 1\n")
                subprocess.run(["echo", "from a child process"])
                return list(range(n))
            """;

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"n": 3}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("[0, 1, 2]");
    }

    [Fact]
    public async Task ExecuteCustomTool_Answers400WithTraceback_WhenToolRaises()
    {
        const string source = "def divide(a: int, b: int) -> float:\n    \"\"\"Divides.\"\"\"\n    if b == 0:\n        raise ValueError('b must not be zero')\n    return a / b\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"a": 1, "b": 0}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.MediaType.ShouldBe("application/json");
        answer.Body.Select(p => p.Key).ShouldBe(["stderr"]);
        var stderr = answer.Body["stderr"]!.GetValue<string>();
        stderr.ShouldStartWith("Traceback (most recent call last):");
        stderr.ShouldContain("line 4, in divide");
        stderr.ShouldContain("raise ValueError('b must not be zero')");
        stderr.ShouldEndWith("ValueError: b must not be zero\n");
    }

    [Fact]
    public async Task ExecuteCustomTool_SeesEnvironment_WhenEnvGiven()
    {
        const string source = "import os\ndef read(name: str) -> str:\n    return os.environ.get(name, '<unset>')\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"name": "API_TOKEN"}""", Ct,
            env: new Dictionary<string, string> { ["API_TOKEN"] = "s3cret value" });

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("\"s3cret value\"");
    }

    [Theory]
    [InlineData("""{"a": "two", "b": 3}""", "field 'a' must be an integer, got string \"two\"")]
    [InlineData("""{"a": 2}""", "missing required field 'b'")]
    [InlineData("""{"a": 2, "b": 3, "c": 4}""", "unknown field 'c'")]
    [InlineData("""[2, 3]""", "must be a JSON object")]
    [InlineData("""{"a": 2, "b": 3""", "tool_input_json is not valid JSON")]
    public async Task ExecuteCustomTool_Answers400NamingField_WhenInputViolatesSchema(string input, string mention)
    {
        const string source = "def add(a: int, b: int) -> int:\n    return a + b\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, input, Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Body.Select(p => p.Key).ShouldBe(["stderr"]);
        answer.Body["stderr"]!.GetValue<string>().ShouldContain(mention);
    }

    [Fact]
    public async Task ExecuteCustomTool_RunsModuleCodeOnlyInSandbox_WhenSourceCallsOsSystem()
    {
        var hostMarker = Path.Combine(Path.GetTempPath(), "computesandbox-tool-" + Guid.NewGuid().ToString("N"));
        var source = $$"""
            import os; os.system("echo module-ran > /workspace/marker.txt; touch {{hostMarker}}")
            import socket

            def where() -> dict:
                with open("/workspace/marker.txt") as f:
                    return {"marker": f.read().strip(), "host": socket.gethostname(), "cwd": os.getcwd()}
            """;

        var parsed = await fixture.Client.ParseToolAsync(source, Ct);
        var answer = await fixture.Client.ExecuteToolAsync(source, "{}", Ct);

        parsed.Status.ShouldBe(HttpStatusCode.OK);
        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        var output = JsonNode.Parse(answer.Body["tool_output_json"]!.GetValue<string>())!;
        output["marker"]!.GetValue<string>().ShouldBe("module-ran");
        output["cwd"]!.GetValue<string>().ShouldBe("/workspace");
        output["host"]!.GetValue<string>().ShouldNotBe(Environment.MachineName);
        File.Exists(hostMarker).ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteCustomTool_ConvertsTypesBothWays_WhenAnnotationsNeedIt()
    {
        const string source = """
            import datetime as dt
            from pathlib import Path
            from typing import Literal, Optional, Tuple
            def convert(day: dt.date, at: dt.time, span: dt.timedelta, p: Path, pair: Tuple[int, str],
                        tags: set[str], frozen: frozenset[int], blob: bytes, mode: Literal["a", "b"],
                        maybe: Optional[dt.datetime] = None, nested: dict[str, list[tuple[int, ...]]] = {}) -> dict:
                return {
                    "types": [type(v).__name__ for v in (day, at, span, p, pair, tags, frozen, blob, nested["k"][0])],
                    "day": day + dt.timedelta(days=1), "at": at, "span": span * 2, "p": p / "file.txt",
                    "pair": pair, "tags": tags, "frozen": frozen, "blob": blob.upper(), "mode": mode, "maybe": maybe,
                }
            """;
        const string input = """
            {"day": "2024-02-28", "at": "13:45:30", "span": "PT1H30M", "p": "/workspace/out", "pair": [7, "seven"],
             "tags": ["b", "a"], "frozen": [3, 1, 2], "blob": "aGVsbG8=", "mode": "b", "nested": {"k": [[1, 2]]}}
            """;

        var answer = await fixture.Client.ExecuteToolAsync(source, input, Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        OutputShouldBe(answer, """{"types":["date","time","timedelta","PosixPath","tuple","set","frozenset","bytes","tuple"],"day":"2024-02-29","at":"13:45:30","span":"PT3H","p":"/workspace/out/file.txt","pair":[7,"seven"],"tags":["a","b"],"frozen":[1,2,3],"blob":"SEVMTE8=","mode":"b","maybe":null}""");
    }

    [Fact]
    public async Task ExecuteCustomTool_AwaitsResult_WhenToolIsAsync()
    {
        const string source = "import asyncio\nasync def slow_double(x: float) -> float:\n    await asyncio.sleep(0.01)\n    return x * 2\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"x": 1.25}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("2.5");
    }

    [Fact]
    public async Task ExecuteCustomTool_Answers400_WhenReturnValueIsNotJson()
    {
        const string source = "def make(n: int):\n    return object()\n";

        var answer = await fixture.Client.ExecuteToolAsync(source, """{"n": 1}""", Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Body["stderr"]!.GetValue<string>().ShouldBe(
            "The tool's return value cannot be converted to JSON: a value of type object cannot be represented as JSON\n");
    }

    [Fact]
    public async Task ExecuteCustomTool_Answers400WithErrorMessages_WhenSourceIsNotATool()
    {
        var answer = await fixture.Client.ExecuteToolAsync("def f(x): pass", "{}", Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Body["stderr"]!.GetValue<string>().ShouldBe(
            "The tool source is invalid:\nParameter 'x' (line 1) has no type annotation; annotate it, e.g. 'x: str'.");
    }

    public static TheoryData<string, string, string, int, string> Malformed => new()
    {
        { "invalid json", "{\"tool_source_code\": ", "application/json", 400, "not valid JSON" },
        { "missing tool_source_code", "{\"tool_input_json\": \"{}\"}", "application/json", 400, "tool_source_code is required" },
        { "tool_input_json not a string", "{\"tool_source_code\": \"def f(): pass\", \"tool_input_json\": {\"a\": 1}}", "application/json", 400, "The field 'tool_input_json' must be a string." },
        { "env value not a string", "{\"tool_source_code\": \"def f(): pass\", \"env\": {\"A\": 1}}", "application/json", 400, "The field 'env.A' must be a string." },
        { "env not an object", "{\"tool_source_code\": \"def f(): pass\", \"env\": [\"A=1\"]}", "application/json", 400, "The field 'env' must be an object whose values are strings." },
        { "bad env name", "{\"tool_source_code\": \"def f(): pass\", \"env\": {\"1X\": \"y\"}}", "application/json", 400, "env name '1X'" },
        { "not json", "tool_source_code=x", "text/plain", 415, "Content-Type: application/json" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task ExecuteCustomTool_AnswersStderr_WhenRequestMalformed(string name, string body, string mediaType, int status, string mention)
    {
        var answer = await fixture.Client.PostRawAsync("/v1/execute-custom-tool", body, mediaType, Ct);

        ((int)answer.Status).ShouldBe(status, name);
        answer.Body.Select(p => p.Key).ShouldBe(["stderr"], name);
        answer.Body["stderr"]!.GetValue<string>().ShouldContain(mention, Case.Sensitive, name);
    }

    [Fact]
    public async Task ExecuteCustomTool_RunsWithoutInput_WhenToolHasNoParametersAndChatIdGiven()
    {
        var answer = await fixture.Client.PostJsonAsync("/v1/execute-custom-tool",
            new { tool_source_code = "def ping() -> str:\n    return 'pong'\n", chat_id = "any-chat" }, Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK, answer.Body.ToJsonString());
        answer.Body["tool_output_json"]!.GetValue<string>().ShouldBe("\"pong\"");
    }

    /// <summary>Compares tool_output_json structurally, so assertions do not depend on Python's spacing.</summary>
    private static void OutputShouldBe(CustomToolCalls.Answer answer, string expected)
    {
        var output = answer.Body["tool_output_json"]!.GetValue<string>();
        JsonNode.DeepEquals(JsonNode.Parse(output), JsonNode.Parse(expected)).ShouldBeTrue($"expected {expected}\nactual   {output}");
    }
}
