using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Image;

/// <summary>
/// The agent's explicit <c>language</c> (the seam the sessions issue's field will use; the service does not send it
/// yet): a fresh sandbox container of the test image per case, driven on its unix socket as the Docker backend does.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AgentLanguageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // `echo = 1` is an assignment in Python and a command in bash: which one ran shows in stdout.
    [InlineData(null, "echo = 1", 0, "")]
    [InlineData("python", "echo = 1", 0, "")]
    [InlineData("shell", "echo = 1", 0, "= 1\n")]
    [InlineData("shell", "echo \"$0\" && exit 4", 4, "<code>\n")]
    [InlineData("python", "echo hello && ls /workspace | wc -l", 1, "")]
    [InlineData(null, "echo hello && ls /workspace | wc -l", 0, "hello\n0\n")]
    public async Task Execute_RunsTheLanguageAsked_WhenLanguageGiven(string? language, string code, int exitCode, string stdout)
    {
        await using var agent = await AgentContainer.StartAsync(Ct);

        using var response = await agent.Client.PostAsJsonAsync("/execute", new { source_code = code, language }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var stderr = body.RootElement.GetProperty("stderr").GetString()!;
        body.RootElement.GetProperty("exit_code").GetInt32().ShouldBe(exitCode, stderr);
        body.RootElement.GetProperty("stdout").GetString().ShouldBe(stdout);
        if (language == "python" && exitCode == 1)
        {
            stderr.ShouldContain("SyntaxError");
        }
    }

    [Fact]
    public async Task Execute_Answers400NamingTheField_WhenLanguageIsUnknown()
    {
        await using var agent = await AgentContainer.StartAsync(Ct);

        using var response = await agent.Client.PostAsJsonAsync("/execute", new { source_code = "print(1)", language = "perl" }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("language must be");
    }

    /// <summary>One agent container (read-only root, tmpfs workspace, no network), removed at dispose.</summary>
    private sealed class AgentContainer : IAsyncDisposable
    {
        private readonly string _folder;
        private readonly string _id;

        private AgentContainer(string folder, string id, HttpClient client)
        {
            _folder = folder;
            _id = id;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<AgentContainer> StartAsync(CancellationToken ct)
        {
            var folder = Path.Combine(Path.GetTempPath(), "computesandbox-agent-language-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, (UnixFileMode)0x1FF); // 0777: the agent (uid 1000) makes its socket here
            var (exit, stdout, stderr) = await ExternalProcess.RunAsync("docker",
            [
                "run", "-d", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--tmpfs", "/workspace:size=16m,uid=1000,gid=1000,mode=0755", "--tmpfs", "/tmp:size=16m,mode=1777",
                "--memory", "384m", "--pids-limit", "64", "--label", "io.computesandbox.test=agent-language",
                "-e", "AGENT_SOCKET=/run/agent/agent.sock", "-v", $"{folder}:/run/agent", TestImage.Name,
            ], folder, new Dictionary<string, string>(), TimeSpan.FromMinutes(1), ct);
            exit.ShouldBe(0, stderr);
            var socket = Path.Combine(folder, "agent.sock");
            var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), token);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                },
            })
            { BaseAddress = new Uri("http://agent") };
            var agent = new AgentContainer(folder, stdout.Trim(), client);
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    using var health = await client.GetAsync("/health", ct);
                    return health.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the agent to answer /health", ct);
            return agent;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await ExternalProcess.RunAsync("docker", ["rm", "-f", _id], _folder, new Dictionary<string, string>(), TimeSpan.FromMinutes(1), CancellationToken.None);
            Directory.Delete(_folder, recursive: true);
        }
    }
}
