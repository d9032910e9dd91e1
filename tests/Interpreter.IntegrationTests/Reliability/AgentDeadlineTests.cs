using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Interpreter.Api.Features.Execute;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Executor;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Execution;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Every call the service makes to a sandbox's agent ends by the execution's timeout + grace, and the sandbox is
/// given back then: an agent that stalls while sending a file or taking an upload holds neither the sandbox nor
/// the request. The agent here is <see cref="StallingAgent"/>, a fake, because a real agent cannot be made to
/// stall (it kills every process of the run before it answers); the sink is the API's real OutputCollector over
/// the real file store, so what reaches the storage folder is checked too. Collection from real sandboxes is
/// tested in <see cref="OutputBoundsTests"/> and Files/ExecuteFilesTests.
/// </summary>
[Collection(FilesCollection.Name)]
public sealed class AgentDeadlineTests(FilesFixture fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    // A loaded test machine may be late to notice a deadline; a hang is minutes.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("before its headers")]
    [InlineData("in the middle of its body")]
    public async Task Execute_ReturnsTheFilesBeforeTheStallAndReleasesTheSandboxAtTheDeadline_WhenTheAgentStallsSendingAFile(string where)
    {
        var first = RandomNumberGenerator.GetBytes(4096);
        AgentFileInfo[] listed =
        [
            new("/workspace/a.bin", first.Length, FileCalls.Sha256(first)),
            new("/workspace/stall.bin", 1 << 20, new string('0', 64)),
            new("/workspace/z.txt", 2, new string('1', 64)),
        ];
        await using var agent = StallingAgent.Start(async (_, target, connection, stop) =>
        {
            switch (target)
            {
                case "/execute":
                    await StallingAgent.AnswerAsync(connection, 200, JsonSerializer.Serialize(new
                    {
                        stdout = "done\n",
                        stderr = "",
                        exit_code = 0,
                        files = listed.Select(f => new { path = f.Path, size = f.Size, sha256 = f.Sha256 }),
                    }), stop);
                    break;
                case "/files?path=/workspace/a.bin":
                    await StallingAgent.WriteHeadAsync(connection, 200, first.Length, stop);
                    await connection.WriteAsync(first, stop);
                    await connection.FlushAsync(stop);
                    break;
                case "/files?path=/workspace/stall.bin":
                    if (where == "in the middle of its body")
                    {
                        await StallingAgent.WriteHeadAsync(connection, 200, 1 << 20, stop);
                        await connection.WriteAsync(new byte[1000], stop);
                        await connection.FlushAsync(stop);
                    }

                    await Task.Delay(Timeout.Infinite, stop);
                    break;
                default:
                    await StallingAgent.AnswerAsync(connection, 404, "{\"error\":\"not listed\"}", stop);
                    break;
            }
        });
        var pool = new OneSandboxPool(agent.SocketPath);
        var sink = new OutputCollector(Files, "deadline-" + Guid.NewGuid().ToString("N")[..8], DownloadLimits.Default);
        var blobsBefore = Blobs();

        var clock = Stopwatch.StartNew();
        var result = await Executor(pool).ExecuteAsync(
            new ExecutionRequest("print('done')", new Dictionary<string, string>(), RunTimeout) { Outputs = sink, Grace = Grace }, Ct);
        var elapsed = clock.Elapsed;

        elapsed.ShouldBeLessThan(RunTimeout + Grace + Slack);
        elapsed.ShouldBeGreaterThan(RunTimeout + Grace - TimeSpan.FromMilliseconds(500), "the deadline, not an error, ended the collection");
        pool.ReleasedAfter.ShouldNotBeNull("the sandbox is given back").ShouldBeLessThan(RunTimeout + Grace + Slack);
        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("done\n");
        result.Stderr.ShouldBe(
            "/workspace/stall.bin was not returned: collecting the run's files did not finish within 4 seconds (the timeout plus 3).\n"
            + "/workspace/z.txt was not returned: collecting the run's files did not finish within 4 seconds (the timeout plus 3).\n");
        sink.Stored.Keys.ShouldBe(["/workspace/a.bin"]);
        sink.Stored["/workspace/a.bin"].Hash.ShouldBe(FileCalls.Sha256(first));
        Blobs().Except(blobsBefore).ShouldBe([FileCalls.Sha256(first)]);
        Directory.EnumerateFiles(Layout.Temp).ShouldBeEmpty("the half-received file leaves no temporary file");
        agent.Requests.ShouldNotContain("GET /files?path=%2Fworkspace%2Fz.txt");
    }

    [Fact]
    public async Task Execute_GivesUpAndReleasesTheSandboxAtTheDeadline_WhenTheAgentStallsTakingAnInputFile()
    {
        await using var agent = StallingAgent.Start((_, _, _, stop) => Task.Delay(Timeout.Infinite, stop));
        var pool = new OneSandboxPool(agent.SocketPath);
        var input = new ExecutionInputFile("/workspace/in.bin", 8 << 20, () => new MemoryStream(new byte[8 << 20]));

        var clock = Stopwatch.StartNew();
        var failure = await Should.ThrowAsync<ExecutionInputException>(() => Executor(pool).ExecuteAsync(
            new ExecutionRequest("print('never')", new Dictionary<string, string>(), RunTimeout) { InputFiles = [input], Grace = Grace }, Ct));
        var elapsed = clock.Elapsed;

        elapsed.ShouldBeLessThan(RunTimeout + Grace + Slack);
        pool.ReleasedAfter.ShouldNotBeNull("the sandbox is given back").ShouldBeLessThan(RunTimeout + Grace + Slack);
        failure.Refused.ShouldBeFalse("the sandbox failed, not the request: the API answers 503 with Retry-After");
        failure.Message.ShouldBe("The sandbox did not take the input file /workspace/in.bin within 4 seconds (the timeout plus 3).");
        agent.Requests.ShouldBe(["PUT /files?path=%2Fworkspace%2Fin.bin"]);
    }

    private FileStore Files => fixture.Api.Services.GetRequiredService<FileStore>();

    private StorageLayout Layout => fixture.Api.Services.GetRequiredService<StorageLayout>();

    private CodeExecutor Executor(ISandboxPool pool) => new(pool, new NoBackend(),
        fixture.Api.Services.GetRequiredService<ExecutorMetrics>(),
        fixture.Api.Services.GetRequiredService<Interpreter.Executor.Packages.PackageInstaller>(), NullLogger<CodeExecutor>.Instance);

    private HashSet<string> Blobs() => Directory.EnumerateFiles(Layout.Root)
        .Select(Path.GetFileName).Where(n => StorageLayout.IsBlobName(n!)).ToHashSet()!;

    /// <summary>Hands out one lease of the fake agent and records when it comes back.</summary>
    private sealed class OneSandboxPool(string socketPath) : ISandboxPool
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly AgentConnector _connector = new();

        public TimeSpan? ReleasedAfter { get; private set; }

        public PoolSnapshot Snapshot => new(0, 0, ReleasedAfter is null ? 1 : 0, 1, 0);

        public Task<SandboxLease> AcquireAsync(CancellationToken ct)
        {
            var endpoint = new AgentEndpoint(new Uri($"http://stalling-{Guid.NewGuid():N}/"), socketPath);
            var sandbox = new SandboxInstance("fake", "stalling-agent", endpoint, DateTimeOffset.UtcNow);
            _clock.Restart();
            return Task.FromResult(new SandboxLease(sandbox, _connector.For(endpoint), _ => ReleasedAfter = _clock.Elapsed));
        }
    }

    private sealed class NoBackend : ISandboxBackend
    {
        public Task<SandboxInstance> CreateAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task OnAgentReadyAsync(SandboxInstance sandbox, CancellationToken ct) => Task.CompletedTask;

        public Task DestroyAsync(SandboxInstance sandbox, CancellationToken ct) => Task.CompletedTask;

        public Task<int> RemoveLeftoversAsync(CancellationToken ct) => Task.FromResult(0);

        public Task<int> RemoveOwnAsync(CancellationToken ct) => Task.FromResult(0);

        public Task<bool> IsAvailableAsync(CancellationToken ct) => Task.FromResult(true);

        public Task<string?> DescribeFailureAsync(SandboxInstance sandbox, CancellationToken ct) => Task.FromResult<string?>(null);
    }
}
