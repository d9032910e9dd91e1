using System.Net;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Requests;

/// <summary>Bad requests to /v1/execute get a 4xx problem+json that names the problem, through real HTTP.</summary>
[Collection(DockerCollection.Name)]
public sealed class InvalidRequestTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, int, string> Cases => new()
    {
        { "malformed json", "{\"source_code\": \"print(1)\", ", 400, "not valid JSON" },
        { "empty body", "", 400, "empty" },
        { "json array", "[1, 2]", 400, "JSON" },
        { "missing source_code", "{\"chat_id\": \"c1\"}", 400, "source_code" },
        { "empty source_code", "{\"source_code\": \"\", \"chat_id\": \"c1\"}", 400, "source_code" },
        { "missing chat_id", "{\"source_code\": \"print(1)\"}", 400, "chat_id" },
        { "bad chat_id", "{\"source_code\": \"print(1)\", \"chat_id\": \"../etc\"}", 400, "chat_id" },
        { "timeout zero", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"timeout_seconds\": 0}", 400, "timeout_seconds" },
        { "timeout too large", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"timeout_seconds\": 100000}", 400, "timeout_seconds" },
        { "timeout wrong type", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"timeout_seconds\": \"soon\"}", 400, "timeout_seconds" },
        { "timeout overflow", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"timeout_seconds\": 99999999999999999999}", 400, "timeout_seconds" },
        { "source_code wrong type", "{\"source_code\": 42, \"chat_id\": \"c1\"}", 400, "source_code" },
        { "bad env name", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"env\": {\"1BAD\": \"x\"}}", 400, "1BAD" },
        { "env value not a string", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"env\": {\"A\": 5}}", 400, "env" },
        { "path traversal in files", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"files\": {\"/workspace/../etc/passwd\": \"" + new string('a', 64) + "\"}}", 400, "/workspace/../etc/passwd" },
        { "files outside workspace", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"files\": {\"/etc/passwd\": \"" + new string('a', 64) + "\"}}", 400, "/etc/passwd" },
        { "bad hash", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"files\": {\"/workspace/a.csv\": \"XYZ\"}}", 400, "SHA-256" },
        { "negative max_downloads", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"max_downloads\": -1}", 400, "max_downloads" },
        { "negative expires_seconds", "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"expires_seconds\": -5}", 400, "expires_seconds" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Execute_AnswersProblem_WhenRequestInvalid(string name, string body, int status, string mention)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await fixture.Client.PostAsync("/v1/execute", content, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        ((int)response.StatusCode).ShouldBe(status, $"{name}: {text}");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", name);
        text.ShouldContain(mention, Case.Insensitive, name);
    }

    [Fact]
    public async Task Execute_Answers413_WhenBodyOverLimit()
    {
        var code = new string('#', 11 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/execute")
        {
            Content = new StringContent("{\"chat_id\":\"c1\",\"source_code\":\"" + code + "\"}", Encoding.UTF8, "application/json"),
        };
        // As curl does for large bodies: the server can refuse before the body is sent.
        request.Headers.ExpectContinue = true;

        using var response = await fixture.Client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Execute_Answers415_WhenBodyIsNotJson()
    {
        using var content = new StringContent("source_code=print(1)", Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await fixture.Client.PostAsync("/v1/execute", content, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Execute_Answers404NamingHash_WhenFileUnknown()
    {
        var hash = new string('b', 64);
        using var content = new StringContent(
            "{\"source_code\": \"print(1)\", \"chat_id\": \"c1\", \"files\": {\"/workspace/a.csv\": \"" + hash + "\"}}",
            Encoding.UTF8, "application/json");

        using var response = await fixture.Client.PostAsync("/v1/execute", content, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(hash);
    }

    [Fact]
    public async Task Health_AnswersOk_WhenEngineAndStorageWork()
    {
        using var health = await fixture.Client.GetAsync("/healthz", Ct);
        using var ready = await fixture.Client.GetAsync("/readyz", Ct);

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync(Ct)).ShouldContain("\"backend\":\"ok\"");
    }
}
