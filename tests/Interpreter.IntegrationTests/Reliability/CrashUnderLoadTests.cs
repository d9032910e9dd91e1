using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// The API as a real process, killed with SIGKILL while clients upload and run code that writes files, then restarted
/// with the same instance name and storage: every acknowledged file is still there with its limits, and the first
/// run's sandboxes are gone.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CrashUnderLoadTests(ITestOutputHelper output)
{
    private const int Clients = 12;
    private const int Target = 3;
    private const int MaxDownloads = 2;
    private const int AcknowledgedBeforeKill = 60;

    private readonly ConcurrentQueue<Acknowledged> _acknowledged = new();
    private readonly LoadAnswers _answers = new();
    private volatile bool _killed;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_ServesEveryAcknowledgedFileAndRemovesOrphans_WhenKilledUnderLoad()
    {
        using var docker = new DockerEngine("unix:///var/run/docker.sock");
        var instance = "crashload-" + Guid.NewGuid().ToString("N")[..8];
        var labels = new Dictionary<string, string> { [SandboxLabels.Instance] = instance };
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        var settings = new Dictionary<string, string>
        {
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "3",
            ["APP_EXECUTOR_MAX_SANDBOXES"] = "8",
            ["APP_EXECUTOR_ACQUIRE_TIMEOUT"] = "10",
            ["APP_EXECUTOR_MEMORY_LIMIT"] = "384Mi",
            ["APP_WORKSPACE_SIZE_LIMIT"] = "64Mi",
        };
        try
        {
            HashSet<string> firstRuns;
            string firstOutput;
            await using (var first = ApiProcess.Start(instance, storage, settings))
            {
                await WaitForPoolAsync(first, docker, labels, TimeSpan.FromSeconds(90));
                var load = Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientLoopAsync(first.Client, c), Ct)).ToArray();
                await Eventually.TrueAsync(() => Task.FromResult(_acknowledged.Count >= AcknowledgedBeforeKill || load.Any(t => t.IsCompleted)),
                    TimeSpan.FromSeconds(120), $"{AcknowledgedBeforeKill} files to be acknowledged", Ct);
                firstOutput = first.RecentOutput;

                // Flagged first: whatever fails from here on was cut off by the kill and was never acknowledged.
                _killed = true;
                await first.KillAsync(Ct);
                await Task.WhenAll(load);

                firstRuns = (await docker.ListAsync(labels, Ct))
                    .Select(c => (c.Labels?.TryGetValue(SandboxLabels.Run, out var run) == true ? run : null) ?? "").ToHashSet();
            }

            var acknowledged = _acknowledged.ToArray();
            output.WriteLine($"{Clients} clients; acknowledged before the kill: {acknowledged.Length} files "
                + $"({acknowledged.Count(a => a.FromExecute)} written by executions), 503 {_answers.Rejected}, "
                + $"first run's containers left by the kill: {firstRuns.Count} run label(s)");
            _answers.Failures.ShouldBeEmpty(_answers.FirstFailures + "\n" + firstOutput);
            acknowledged.Length.ShouldBeGreaterThanOrEqualTo(AcknowledgedBeforeKill);
            acknowledged.ShouldContain(a => a.FromExecute);
            firstRuns.ShouldNotBeEmpty("the killed run left no sandbox behind, so the restart had nothing to clean up");

            await using var second = ApiProcess.Start(instance, storage, settings);
            await Eventually.TrueAsync(async () => (await docker.ListAsync(labels, Ct))
                    .All(c => !firstRuns.Contains((c.Labels?.TryGetValue(SandboxLabels.Run, out var run) == true ? run : null) ?? "")),
                TimeSpan.FromSeconds(30), "the restarted API to remove the killed run's sandboxes", Ct);
            await WaitForPoolAsync(second, docker, labels, TimeSpan.FromSeconds(90));
            var secondRun = (await docker.ListAsync(labels, Ct))
                .Select(c => (c.Labels?.TryGetValue(SandboxLabels.Run, out var run) == true ? run : null) ?? "").Distinct().ShouldHaveSingleItem();
            firstRuns.ShouldNotContain(secondRun);

            foreach (var file in acknowledged)
            {
                for (var i = 0; i < MaxDownloads; i++)
                {
                    var bytes = await second.Client.DownloadBytesAsync(file.Chat, file.Hash, file.Name, Ct);
                    bytes.ShouldNotBeNull($"{file.Name} ({file.Hash}) download {i + 1} of {MaxDownloads} after the restart");
                    FileCalls.Sha256(bytes).ShouldBe(file.Hash, $"{file.Name} after the restart");
                }

                using var exhausted = await second.Client.DownloadAsync(file.Chat, file.Hash, file.Name, Ct);
                exhausted.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{file.Name} kept more than its {MaxDownloads} downloads");
            }

            await second.StopAsync(Ct);
            second.ExitCode.ShouldBe(0, second.RecentOutput);
            (await docker.ListAsync(labels, Ct)).ShouldBeEmpty();
        }
        finally
        {
            foreach (var left in await docker.ListAsync(labels, CancellationToken.None))
            {
                await docker.RemoveAsync(left.ID, CancellationToken.None);
            }

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    /// <summary>Ready at the target, nothing starting or in use, and exactly that many containers of the instance.</summary>
    private static async Task WaitForPoolAsync(ApiProcess api, DockerEngine docker, Dictionary<string, string> labels,
        TimeSpan timeout)
    {
        await Eventually.TrueAsync(async () =>
                await api.PoolAsync(Ct) is { Ready: Target, Starting: 0, InUse: 0 }
                && (await docker.ListAsync(labels, Ct)).Count == Target,
            timeout, $"the API to answer /readyz with {Target} ready sandboxes and {Target} containers", Ct);
    }

    private async Task ClientLoopAsync(HttpClient client, int clientId)
    {
        var chat = $"crash-{clientId}";
        for (var i = 0; !_killed; i++)
        {
            var tag = $"c{clientId}i{i}";
            try
            {
                if (i % 2 == 0)
                {
                    await UploadAsync(client, chat, tag);
                }
                else
                {
                    await ExecuteAsync(client, chat, tag);
                }
            }
            catch (Exception) when (_killed)
            {
                // Cut off by the kill: not acknowledged, so nothing is promised about it.
                return;
            }
            catch (Exception e)
            {
                _answers.Fail(tag, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private async Task UploadAsync(HttpClient client, string chat, string tag)
    {
        var bytes = RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(1, 64 * 1024));
        var name = $"up-{tag}.bin";
        using var response = await client.PostUploadAsync(chat, name, new ByteArrayContent(bytes), Ct, maxDownloads: MaxDownloads);
        if (!await _answers.IsOkAsync(response, tag, Ct))
        {
            return;
        }

        var upload = JsonSerializer.Deserialize<UploadResponse>(await response.Content.ReadAsStringAsync(Ct), ExecuteCalls.Json)!;
        if (upload.FileHash != FileCalls.Sha256(bytes) || upload.Metadata.RemainingDownloads != MaxDownloads)
        {
            _answers.Fail(tag, $"upload answered hash {upload.FileHash}, remaining {upload.Metadata.RemainingDownloads}");
            return;
        }

        _acknowledged.Enqueue(new Acknowledged(chat, name, upload.FileHash, FromExecute: false));
    }

    private async Task ExecuteAsync(HttpClient client, string chat, string tag)
    {
        var name = $"out-{tag}.txt";
        var code = $"open('/workspace/{name}', 'w').write('{tag} ' * 1000)\nprint('{tag}')";
        using var response = await client.PostAsJsonAsync("/v1/execute",
            new { source_code = code, chat_id = chat, timeout_seconds = 30, max_downloads = MaxDownloads }, ExecuteCalls.Json, Ct);
        if (!await _answers.IsOkAsync(response, tag, Ct))
        {
            return;
        }

        var result = JsonSerializer.Deserialize<ExecuteResponse>(await response.Content.ReadAsStringAsync(Ct), ExecuteCalls.Json)!;
        var hash = FileCalls.Sha256(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"{tag} ", 1000))));
        var path = $"/workspace/{name}";
        if (result.Stdout != $"{tag}\n" || result.Files.GetValueOrDefault(path) != hash
            || result.FilesMetadata.GetValueOrDefault(path)?.RemainingDownloads != MaxDownloads)
        {
            _answers.Fail(tag, $"execute answered exit {result.ExitCode}, stdout {result.Stdout}, stderr {result.Stderr}, "
                + $"files {string.Join(", ", result.Files)}");
            return;
        }

        _acknowledged.Enqueue(new Acknowledged(chat, name, hash, FromExecute: true));
    }

    private sealed record Acknowledged(string Chat, string Name, string Hash, bool FromExecute);
}
