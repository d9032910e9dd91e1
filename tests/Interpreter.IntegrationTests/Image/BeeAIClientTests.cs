using System.Text;
using System.Text.Json;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Image;

/// <summary>
/// The reference's own client as part of the suite: npm beeai-framework 0.1.30's PythonTool, with
/// LocalPythonStorage on the service's storage folder (APP_REQUIRE_CHAT_ID=false, as a co-located agent runs it),
/// driven by a node script against the running service: Python with an input file and output files coming back,
/// then shell code (what the tool offers the model as language "shell", sent as plain source_code).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class BeeAIClientTests(SharedDirectoryFixture fixture) : IClassFixture<SharedDirectoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PythonTool_RunsPythonAndShellWithFilesBothWays_WhenDrivenAgainstTheService()
    {
        var client = await BeeAIClient.InstallAsync(Ct);
        var local = Path.Combine(Path.GetTempPath(), "computesandbox-beeai-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(fixture.Api.StoragePath);

        try
        {
            var (exit, stdout, stderr) = await ExternalProcess.RunAsync("node", ["drive-python-tool.mjs"], client,
                new Dictionary<string, string>
                {
                    ["CODE_INTERPRETER_URL"] = fixture.Client.BaseAddress!.ToString().TrimEnd('/'),
                    ["STORAGE_DIR"] = fixture.Api.StoragePath,
                    ["LOCAL_DIR"] = local,
                }, TimeSpan.FromMinutes(3), Ct);

            exit.ShouldBe(0, stderr);
            using var outputs = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            var python = outputs.RootElement.GetProperty("python");
            python.GetProperty("exitCode").GetInt32().ShouldBe(0, python.GetProperty("stderr").GetString());
            python.GetProperty("stdout").GetString().ShouldBe("17\n");
            Names(python).ShouldBe(["chart.png", "doubled.csv"]);
            python.GetProperty("text").GetString()!.ShouldContain("![chart.png](urn:bee:file:");
            (await File.ReadAllTextAsync(Path.Combine(local, "doubled.csv"), Ct))
                .ShouldBe("month,units,double\njan,3,6\nfeb,5,10\nmar,9,18\n");
            (await File.ReadAllBytesAsync(Path.Combine(local, "chart.png"), Ct))[..4].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47 });

            var shell = outputs.RootElement.GetProperty("shell");
            shell.GetProperty("exitCode").GetInt32().ShouldBe(0, shell.GetProperty("stderr").GetString());
            shell.GetProperty("stdout").GetString().ShouldBe("hello\n2\n4\n");
            Names(shell).ShouldBe(["notes.html"]);
            Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(local, "notes.html"), Ct))
                .ShouldContain("<em>works</em>");
        }
        finally
        {
            if (Directory.Exists(local))
            {
                Directory.Delete(local, recursive: true);
            }
        }
    }

    private static string[] Names(JsonElement output) =>
        [.. output.GetProperty("outputFiles").EnumerateArray().Select(name => name.GetString()!)];
}
