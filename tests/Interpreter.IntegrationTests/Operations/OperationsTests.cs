using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Operations;

/// <summary>/metrics, /openapi/v1.json and request ids on the shared API.</summary>
[Collection(DockerCollection.Name)]
public sealed partial class OperationsTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_ParseAsPrometheusTextAndMove_WhenCodeExecuted()
    {
        var before = ParsePrometheus(await fixture.Client.GetStringAsync("/metrics", Ct));

        (await fixture.Client.ExecuteAsync("print('count me')", Ct)).ExitCode.ShouldBe(0);
        var after = ParsePrometheus(await fixture.Client.GetStringAsync("/metrics", Ct));

        const string requests = "computesandbox_http_requests_total{endpoint=\"/v1/execute\",method=\"POST\",status=\"200\"}";
        after[requests].ShouldBeGreaterThan(before.GetValueOrDefault(requests));
        after["computesandbox_execution_duration_seconds_count{outcome=\"success\"}"]
            .ShouldBeGreaterThan(before.GetValueOrDefault("computesandbox_execution_duration_seconds_count{outcome=\"success\"}"));
        after["computesandbox_pool_acquire_duration_seconds_count"]
            .ShouldBeGreaterThan(before.GetValueOrDefault("computesandbox_pool_acquire_duration_seconds_count"));
        after.Keys.ShouldContain("computesandbox_pool_ready");
        after.Keys.ShouldContain("computesandbox_pool_in_use");
        after.Keys.ShouldContain("computesandbox_pool_starting");
        after.Keys.ShouldContain("computesandbox_sandbox_start_duration_seconds_count");
    }

    [Fact]
    public async Task Metrics_CountStoredFilesAndBytes_WhenFileUploaded()
    {
        var before = ParsePrometheus(await fixture.Client.GetStringAsync("/metrics", Ct));
        using var form = new MultipartFormDataContent
        {
            { new StringContent("metrics"), "chat_id" },
            { new ByteArrayContent(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096)), "upload", "random.bin" },
        };

        using var upload = await fixture.Client.PostAsync("/v1/upload", form, Ct);
        var after = ParsePrometheus(await fixture.Client.GetStringAsync("/metrics", Ct));

        upload.EnsureSuccessStatusCode();
        after["computesandbox_files_stored_total"].ShouldBe(before.GetValueOrDefault("computesandbox_files_stored_total") + 1);
        after["computesandbox_files_stored_bytes_total"]
            .ShouldBe(before.GetValueOrDefault("computesandbox_files_stored_bytes_total") + 4096);
    }

    [Fact]
    public async Task Metrics_CountMadeUpMethodsAsOther_WhenClientSendsThem()
    {
        var method = "CS" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

        using var request = new HttpRequestMessage(new HttpMethod(method), "/v1/execute");
        using var response = await fixture.Client.SendAsync(request, Ct);
        var text = await fixture.Client.GetStringAsync("/metrics", Ct);

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        text.ShouldNotContain(method);
        text.ShouldContain("method=\"other\"");
    }

    [Fact]
    public async Task OpenApi_ListsEveryEndpoint_WhenRequested()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync("/openapi/v1.json", Ct));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[]
        {
            "/v1/execute", "/v1/upload", "/v1/download", "/v1/expire", "/v1/parse-custom-tool", "/v1/execute-custom-tool",
            "/healthz", "/readyz", "/metrics",
        })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        }

        var execute = paths.GetProperty("/v1/execute").GetProperty("post");
        execute.GetProperty("requestBody").GetRawText().ShouldContain("ExecuteRequest");
        execute.GetProperty("responses").GetProperty("200").GetRawText().ShouldContain("ExecuteResponse");
        document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ExecuteRequest")
            .GetProperty("properties").TryGetProperty("source_code", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task OpenApi_CarriesTheValidatorsRules_WhenRequested()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync("/openapi/v1.json", Ct));

        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var execute = schemas.GetProperty("ExecuteRequest");
        var properties = execute.GetProperty("properties");
        execute.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldContain("source_code");
        properties.GetProperty("source_code").GetProperty("minLength").GetInt32().ShouldBe(1);
        // ECMAScript, as OpenAPI patterns are: the validators' final \z (no anchor there) is written $.
        properties.GetProperty("chat_id").GetProperty("pattern").GetString().ShouldBe("^[0-9A-Za-z_-]{1,255}$");
        document.RootElement.GetRawText().ShouldNotContain(@"\\z");
        properties.GetProperty("timeout_seconds").GetProperty("minimum").GetDouble().ShouldBe(1);
        properties.GetProperty("expires_days").GetProperty("minimum").GetDouble().ShouldBe(0);
        properties.GetProperty("expires_days").GetProperty("maximum").GetDouble().ShouldBe(36_500);
        properties.GetProperty("max_downloads").GetProperty("minimum").GetDouble().ShouldBe(0);
        schemas.GetProperty("ParseCustomToolRequest").GetProperty("properties").GetProperty("tool_source_code")
            .GetProperty("minLength").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task RequestId_IsEchoedOrCreated_WhenRequestArrives()
    {
        using var given = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        given.Headers.Add("X-Request-Id", "client-chosen-42");

        using var echoed = await fixture.Client.SendAsync(given, Ct);
        using var created = await fixture.Client.GetAsync("/healthz", Ct);

        echoed.Headers.GetValues("X-Request-Id").Single().ShouldBe("client-chosen-42");
        created.Headers.GetValues("X-Request-Id").Single().ShouldMatch("^[0-9a-f]{16}$");
    }

    /// <summary>Parses the text format strictly: every line a comment, blank, or a well-formed sample; one TYPE per family.</summary>
    private static Dictionary<string, double> ParsePrometheus(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            var type = TypeLine().Match(line);
            if (type.Success)
            {
                typed.Add(type.Groups[1].Value).ShouldBeTrue($"duplicate TYPE for {type.Groups[1].Value}");
                continue;
            }

            var sample = SampleLine().Match(line);
            sample.Success.ShouldBeTrue($"not a Prometheus sample line: {line}");
            // OpenTelemetry writes a series without labels as "name{}": the same series as "name".
            samples[sample.Groups["series"].Value.Replace("{}", "", StringComparison.Ordinal)] =
                double.Parse(sample.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }

        samples.ShouldNotBeEmpty();
        return samples;
    }

    [GeneratedRegex("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*\\})?) (?<value>[-+0-9.eE]+|\\+Inf|NaN)$")]
    private static partial Regex SampleLine();
}
