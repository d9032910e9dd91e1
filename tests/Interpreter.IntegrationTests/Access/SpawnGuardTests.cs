using System.Net;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Access;

/// <summary>The spawn guard through the real HTTP pipeline (Kestrel on 127.0.0.1); the client's address is 127.0.0.1.</summary>
[Collection(DockerCollection.Name)]
public sealed class SpawnGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, Dictionary<string, string>, string?, string?, HttpStatusCode> Cases => new()
    {
        { "allowed ip", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "127.0.0.1" }, null, null, HttpStatusCode.BadRequest },
        { "allowed cidr", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "[\"10.0.0.0/8\",\"127.0.0.0/8\"]" }, null, null, HttpStatusCode.BadRequest },
        { "denied ip", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8" }, null, null, HttpStatusCode.Forbidden },
        { "no implicit loopback", new(), null, null, HttpStatusCode.Forbidden },
        { "allowed host", new() { ["App:INTERNAL_HOST_ALLOWLIST"] = "interpreter.internal" }, "Interpreter.Internal:50081", null, HttpStatusCode.BadRequest },
        { "denied host", new() { ["App:INTERNAL_HOST_ALLOWLIST"] = "interpreter.internal" }, "elsewhere.example", null, HttpStatusCode.Forbidden },
        { "xff from untrusted peer", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8" }, null, "10.1.2.3", HttpStatusCode.Forbidden },
        { "xff from trusted proxy", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8", ["App:TRUSTED_PROXIES"] = "127.0.0.1" }, null, "10.1.2.3", HttpStatusCode.BadRequest },
        { "xff from trusted proxy, denied client", new() { ["App:INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8", ["App:TRUSTED_PROXIES"] = "127.0.0.1" }, null, "203.0.113.5", HttpStatusCode.Forbidden },
        { "public spawn on", new() { ["App:PUBLIC_SPAWN_ENABLED"] = "true" }, null, null, HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Execute_IsGuarded_WhenPublicSpawnDisabled(
        string name, Dictionary<string, string> settings, string? host, string? forwardedFor, HttpStatusCode expected)
    {
        settings["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0";
        settings.TryAdd("App:INTERNAL_IP_ALLOWLIST", "");
        await using var api = new SandboxApiFactory(settings);
        using var client = await api.StartAsync(ready: 0, Ct);
        // An empty object: past the guard it is a 400 (no sandbox needed), refused it is a 403.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/execute")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(expected, name);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", name);
        if (expected == HttpStatusCode.Forbidden)
        {
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("APP_INTERNAL_IP_ALLOWLIST", Case.Sensitive, name);
        }
    }

    [Fact]
    public async Task Health_IsNotGuarded_WhenClientNotAllowed()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:INTERNAL_IP_ALLOWLIST"] = "",
        });
        using var client = await api.StartAsync(ready: 0, Ct);

        using var response = await client.GetAsync("/healthz", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
