using System.Net;
using System.Text.Json.Nodes;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.CustomTools;

/// <summary>POST /v1/parse-custom-tool through real HTTP: the reference's answer shape and its error shape.</summary>
[Collection(DockerCollection.Name)]
public sealed class ParseCustomToolTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ParseCustomTool_AnswersLikeReference_WhenGivenReferenceExample()
    {
        const string source = "def my_tool(param1: str, param2: int) -> str:\n    \"\"\"Tool description\n    :param param1: Description of param1\n    :param param2: Description of param2\n    :return: Description of return value\n    \"\"\"\n    return f\"Result: {param1}, {param2}\"";

        var answer = await fixture.Client.ParseToolAsync(source, Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK);
        answer.Body["tool_name"]!.GetValue<string>().ShouldBe("my_tool");
        answer.Body["tool_description"]!.GetValue<string>().ShouldBe("Tool description\n\nReturns: str -- Description of return value");
        var schemaJson = answer.Body["tool_input_schema_json"]!.GetValue<string>();
        JsonNode.DeepEquals(JsonNode.Parse(schemaJson), JsonNode.Parse("""
            {"$schema":"http://json-schema.org/draft-07/schema#","title":"my_tool","type":"object","additionalProperties":false,
             "required":["param1","param2"],
             "properties":{"param1":{"type":"string","description":"Description of param1"},
                           "param2":{"type":"integer","description":"Description of param2"}}}
            """)).ShouldBeTrue(schemaJson);
    }

    [Fact]
    public async Task ParseCustomTool_AnswersAllErrorMessages_WhenSourceHasSeveralProblems()
    {
        const string source = "def f(a, b: Foo, *args, **kwargs):\n    pass\n";

        var answer = await fixture.Client.ParseToolAsync(source, Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.MediaType.ShouldBe("application/json");
        answer.Body.Select(p => p.Key).ShouldBe(["error_messages", "error_details"]);
        answer.Body["error_messages"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe(
        [
            "The tool function arguments must have type annotations",
            "Error when parsing type `Foo`: unsupported type 'Foo'",
            "The tool function must not have *args",
            "The tool function must not have **kwargs",
        ]);
        answer.Body["error_details"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldBe(
        [
            "Parameter 'a' (line 1) has no type annotation; annotate it, e.g. 'a: str'.",
            "Parameter 'b' (line 1): unsupported type 'Foo'.",
            "Parameter '*args' (line 1): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter).",
            "Parameter '**kwargs' (line 1): variable keyword parameters (**kwargs) are not supported; a tool takes named parameters (use e.g. a dict[str, ...] parameter).",
        ]);
    }

    [Fact]
    public async Task ParseCustomTool_AnswersSyntaxErrorWithLine_WhenSourceIsNotPython()
    {
        var answer = await fixture.Client.ParseToolAsync("def f(a: int):\n    return (a\n", Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Body["error_messages"]!.AsArray().Select(m => m!.GetValue<string>())
            .ShouldBe(["Syntax error: '(' was never closed on line 2"]);
        answer.Body["error_details"]!.AsArray().Select(m => m!.GetValue<string>())
            .ShouldBe(["Syntax error at line 2: '(' was never closed."]);
    }

    [Fact]
    public async Task ParseCustomTool_AnswersPythonsSyntaxError_WhenOnlyTheFunctionBodyIsInvalid()
    {
        var answer = await fixture.Client.ParseToolAsync("def f(a: int):\n    x = = a\n    return x\n", Ct);

        answer.Status.ShouldBe(HttpStatusCode.BadRequest);
        answer.Body["error_messages"]!.AsArray().Select(m => m!.GetValue<string>())
            .ShouldBe(["Syntax error: invalid syntax on line 2"]);
    }

    [Fact]
    public async Task ParseCustomTool_AcceptsChatId_WhenGivenButNeverRequiresIt()
    {
        var with = await fixture.Client.PostJsonAsync("/v1/parse-custom-tool",
            new { tool_source_code = "def f(a: int): pass", chat_id = "some-chat" }, Ct);
        var without = await fixture.Client.ParseToolAsync("def f(a: int): pass", Ct);

        with.Status.ShouldBe(HttpStatusCode.OK);
        without.Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ParseCustomTool_DoesNotRunSource_WhenModuleRunsCommands()
    {
        var marker = Path.Combine(Path.GetTempPath(), "computesandbox-parse-" + Guid.NewGuid().ToString("N"));
        var source = $"import os; os.system('touch {marker}')\nimport subprocess\nsubprocess.run(['touch', '{marker}'])\n\ndef f(a: int) -> int:\n    return a\n";

        var answer = await fixture.Client.ParseToolAsync(source, Ct);

        answer.Status.ShouldBe(HttpStatusCode.OK);
        File.Exists(marker).ShouldBeFalse();
    }

    public static TheoryData<string, string, string, int, string> Malformed => new()
    {
        { "invalid json", "{\"tool_source_code\": ", "application/json", 400, "not valid JSON" },
        { "empty body", "", "application/json", 400, "empty" },
        { "json array", "[1]", "application/json", 400, "must be a JSON object" },
        { "json null", "null", "application/json", 400, "JSON object" },
        { "missing tool_source_code", "{\"chat_id\": \"c1\"}", "application/json", 400, "tool_source_code is required" },
        { "empty tool_source_code", "{\"tool_source_code\": \"\"}", "application/json", 400, "tool_source_code is required" },
        { "wrong type", "{\"tool_source_code\": 42}", "application/json", 400, "tool_source_code" },
        { "bad chat_id", "{\"tool_source_code\": \"def f(): pass\", \"chat_id\": \"../x\"}", "application/json", 400, "chat_id" },
        { "not json", "tool_source_code=x", "application/x-www-form-urlencoded", 415, "Content-Type: application/json" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task ParseCustomTool_AnswersErrorMessages_WhenRequestMalformed(string name, string body, string mediaType, int status, string mention)
    {
        var answer = await fixture.Client.PostRawAsync("/v1/parse-custom-tool", body, mediaType, Ct);

        ((int)answer.Status).ShouldBe(status, name);
        answer.MediaType.ShouldBe("application/json", name);
        var messages = answer.Body["error_messages"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        messages.ShouldHaveSingleItem(name).ShouldContain(mention, Case.Sensitive, name);
    }

    [Fact]
    public async Task ParseCustomTool_Answers413_WhenBodyOverLimit()
    {
        var source = "def f(a: int): pass\n" + new string('#', 11 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/parse-custom-tool")
        {
            Content = new StringContent("{\"tool_source_code\":\"" + source.Replace("\n", "\\n", StringComparison.Ordinal) + "\"}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        // The server refuses before reading, then closes: with 100-continue the client waits for that answer
        // instead of racing to write 11 MiB into a closed connection.
        request.Headers.ExpectContinue = true;

        using var response = await fixture.Client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }
}
