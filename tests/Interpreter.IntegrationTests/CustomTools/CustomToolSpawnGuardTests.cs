using System.Net;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.CustomTools;

/// <summary>Both custom-tool endpoints spawn work (API.md): a client outside the allowlists gets 403 before its body is read.</summary>
[Collection(DockerCollection.Name)]
public sealed class CustomToolSpawnGuardTests
{
    [Theory]
    [InlineData("/v1/parse-custom-tool")]
    [InlineData("/v1/execute-custom-tool")]
    public async Task CustomToolEndpoint_Answers403_WhenClientNotAllowed(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8",
        });
        using var client = await api.StartAsync(ready: 0, ct);
        using var content = new StringContent("""{"tool_source_code": "def f(a: int) -> int:\n    return a", "tool_input_json": "{\"a\": 1}"}""",
            Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(path, content, ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(ct)).ShouldContain("APP_INTERNAL_IP_ALLOWLIST");
    }
}
