using Interpreter.Executor.Configuration;
using Interpreter.Executor.CustomTools;
using Interpreter.Executor.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>The runner validates in the control plane, builds the harness program safely and reads the marked result.</summary>
public sealed class CustomToolRunnerTests
{
    private const string AddSource = "def add(a: int, b: int = 2) -> int:\n    return a + b\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_UsesNoSandbox_WhenInputViolatesSchema()
    {
        var executor = new FakeCodeExecutor((_, _) => throw new InvalidOperationException("no sandbox expected"));

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest(AddSource, """{"a": "one"}""", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.InvalidInput);
        result.Stderr.ShouldBe("Invalid tool input: field 'a' must be an integer, got string \"one\"");
        executor.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_UsesNoSandbox_WhenSourceIsNotATool()
    {
        var executor = new FakeCodeExecutor((_, _) => throw new InvalidOperationException("no sandbox expected"));

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest("def add(a, *rest): pass", "{}", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.InvalidSource);
        result.Stderr.ShouldBe("""
            The tool source is invalid:
            Parameter 'a' (line 1) has no type annotation; annotate it, e.g. 'a: str'.
            Parameter '*rest' (line 1): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter).
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        executor.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_ReturnsMarkedJson_WhenToolPrintsAroundIt()
    {
        var executor = new FakeCodeExecutor((_, payload) =>
        {
            var marker = payload["marker"]!.GetValue<string>();
            return new ExecutionResult($"noise {{\"not\": 1}}\n{marker}{{\"sum\": 3}}{marker}\nlate noise\n", "printed\n", 0, []);
        });

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest(AddSource, """{"a": 1}""", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.Succeeded);
        result.OutputJson.ShouldBe("{\"sum\": 3}");
    }

    [Fact]
    public async Task RunAsync_PassesSourceOnlyAsBase64_WhenBuildingProgram()
    {
        const string source = "def add(a: int, b: int = 2) -> int:\n    '''\")\nimport os  # breakout attempt'''\n    return a + b\n";
        var executor = new FakeCodeExecutor((_, _) => new ExecutionResult("", "", 0, []));
        var env = Env(("GREETING", "hi"));

        await Runner(executor, timeoutSeconds: 42).RunAsync(new CustomToolRunRequest(source, """{"a": 1}""", env), Ct);

        var request = executor.Requests.ShouldHaveSingleItem();
        request.SourceCode.ShouldNotContain("breakout attempt");
        request.SourceCode.ShouldStartWith("# ComputeSandbox custom-tool harness.");
        request.Env.ShouldBe(env);
        request.Timeout.ShouldBe(TimeSpan.FromSeconds(42));
        var payload = FakeCodeExecutor.Payload(request.SourceCode);
        payload["source"]!.GetValue<string>().ShouldBe(source);
        payload["function"]!.GetValue<string>().ShouldBe("add");
        payload["input"]!.GetValue<string>().ShouldBe("""{"a": 1}""");
        JsonAssert.Equivalent(payload["parameters"]!.ToJsonString(),
            """[{"name":"a","type":{"t":"int"}},{"name":"b","type":{"t":"int"}}]""");
    }

    [Fact]
    public async Task RunAsync_SendsTypePlans_WhenParametersNeedConversion()
    {
        const string source = """
            from datetime import datetime
            from pathlib import Path
            from typing import Literal, Optional
            def f(when: datetime, p: Optional[Path], pairs: list[tuple[int, str]], tags: set[str],
                  data: dict[str, bytes], mode: Literal["a", 1]): pass
            """;
        var executor = new FakeCodeExecutor((_, _) => new ExecutionResult("", "", 0, []));
        const string input = """{"when": "2024-01-01T00:00:00", "p": null, "pairs": [], "tags": [], "data": {}, "mode": 1}""";

        await Runner(executor).RunAsync(new CustomToolRunRequest(source, input, Env()), Ct);

        var payload = FakeCodeExecutor.Payload(executor.Requests.ShouldHaveSingleItem().SourceCode);
        JsonAssert.Equivalent(payload["parameters"]!.ToJsonString(), """
            [{"name":"when","type":{"t":"datetime"}},
             {"name":"p","type":{"t":"union","options":[{"t":"path"},{"t":"null"}]}},
             {"name":"pairs","type":{"t":"list","of":{"t":"tuple","items":[{"t":"int"},{"t":"str"}]}}},
             {"name":"tags","type":{"t":"set","of":{"t":"str"}}},
             {"name":"data","type":{"t":"dict","of":{"t":"bytes"}}},
             {"name":"mode","type":{"t":"literal","values":["a",1]}}]
            """);
    }

    [Fact]
    public async Task RunAsync_ReturnsTraceback_WhenToolRaised()
    {
        const string traceback = "Traceback (most recent call last):\n  File \"<tool>\", line 2, in add\nValueError: boom\n";
        var executor = new FakeCodeExecutor((_, _) => new ExecutionResult("", traceback, 1, []));

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest(AddSource, """{"a": 1}""", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.ToolFailed);
        result.Stderr.ShouldBe(traceback);
    }

    [Fact]
    public async Task RunAsync_IgnoresForgedMarker_WhenMarkerIsNotThisCalls()
    {
        var executor = new FakeCodeExecutor((_, _) =>
            new ExecutionResult("@@computesandbox-tool-result-0000@@{\"forged\": true}@@computesandbox-tool-result-0000@@\n", "", 0, []));

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest(AddSource, """{"a": 1}""", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.ToolFailed);
        result.Stderr.ShouldBe("The tool exited with code 0 without returning a value.\n");
    }

    [Fact]
    public async Task RunAsync_NamesOutputLimit_WhenResultWasCutOff()
    {
        var executor = new FakeCodeExecutor((_, payload) =>
            new ExecutionResult(payload["marker"]!.GetValue<string>() + "[1, 2, 3, ", "", 0, []));

        var result = await Runner(executor).RunAsync(new CustomToolRunRequest(AddSource, """{"a": 1}""", Env()), Ct);

        result.Status.ShouldBe(CustomToolRunStatus.ToolFailed);
        result.Stderr!.ShouldContain("APP_MAX_OUTPUT_BYTES");
    }

    private static CustomToolRunner Runner(FakeCodeExecutor executor, int timeoutSeconds = 60) =>
        new(new CustomToolParser(), executor, Options.Create(new ExecutorOptions { DefaultTimeoutSeconds = timeoutSeconds }),
            NullLogger<CustomToolRunner>.Instance);

    private static Dictionary<string, string> Env(params (string Name, string Value)[] entries) =>
        entries.ToDictionary(e => e.Name, e => e.Value);
}
