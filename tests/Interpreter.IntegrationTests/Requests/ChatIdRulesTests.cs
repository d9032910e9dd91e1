using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Requests;

/// <summary>chat_id rules of API.md on every endpoint: required (or "default") per APP_REQUIRE_CHAT_ID, and the pattern always.</summary>
[Collection(DockerCollection.Name)]
public sealed class ChatIdRulesTests(DockerFixture fixture)
{
    private const string Tool = "def add_one(a: int) -> int:\n    return a + 1\n";
    private static readonly string Hash = new('a', 64);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Endpoints => new()
    {
        "/v1/execute", "/v1/upload", "/v1/download", "/v1/expire", "/v1/parse-custom-tool", "/v1/execute-custom-tool",
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_Answers400NamingChatId_WhenChatIdMalformed(string endpoint)
    {
        using var response = await fixture.Client.SendAsync(Request(endpoint, "bad id!"), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain("chat_id");
    }

    [Theory]
    [InlineData("/v1/execute")]
    [InlineData("/v1/upload")]
    [InlineData("/v1/download")]
    [InlineData("/v1/expire")]
    public async Task Endpoint_Answers400NamingChatId_WhenChatIdMissingAndRequired(string endpoint)
    {
        using var response = await fixture.Client.SendAsync(Request(endpoint, null), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain("chat_id is required");
    }

    [Theory]
    [InlineData("/v1/parse-custom-tool")]
    [InlineData("/v1/execute-custom-tool")]
    public async Task CustomToolEndpoint_Answers200_WhenChatIdMissing(string endpoint)
    {
        using var response = await fixture.Client.SendAsync(Request(endpoint, null), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Endpoints_UseDefaultChat_WhenChatIdMissingAndNotRequired()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:REQUIRE_CHAT_ID"] = "false",
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
        });
        using var client = await api.StartAsync(ready: 1, Ct);

        using var upload = await client.SendAsync(Request("/v1/upload", null), Ct);
        using var download = await client.SendAsync(Request("/v1/download", null), Ct);
        using var execute = await client.SendAsync(Request("/v1/execute", null), Ct);

        upload.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await upload.Content.ReadAsStringAsync(Ct)).ShouldContain("\"chat_id\":\"default\"");
        download.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        execute.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await execute.Content.ReadAsStringAsync(Ct)).ShouldContain("\"chat_id\":\"default\"");
    }

    private static HttpRequestMessage Request(string endpoint, string? chatId)
    {
        var chat = chatId is null ? "" : $"\"chat_id\": \"{chatId}\", ";
        HttpContent content = endpoint switch
        {
            "/v1/execute" => Json($"{{{chat}\"source_code\": \"print(1)\"}}"),
            "/v1/download" or "/v1/expire" => Json($"{{{chat}\"file_hash\": \"{Hash}\", \"filename\": \"a.txt\"}}"),
            "/v1/parse-custom-tool" => Json($"{{{chat}\"tool_source_code\": {System.Text.Json.JsonSerializer.Serialize(Tool)}}}"),
            "/v1/execute-custom-tool" => Json(
                $"{{{chat}\"tool_source_code\": {System.Text.Json.JsonSerializer.Serialize(Tool)}, \"tool_input_json\": \"{{\\\"a\\\": 1}}\"}}"),
            "/v1/upload" => Upload(chatId),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        return new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static MultipartFormDataContent Upload(string? chatId)
    {
        var form = new MultipartFormDataContent();
        if (chatId is not null)
        {
            form.Add(new StringContent(chatId), "chat_id");
        }

        var file = new ByteArrayContent("hello"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "upload", "a.txt");
        return form;
    }
}
