using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.Executor.Docker;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// 32 clients mix execute (with and without files), upload and download against the real API and a pool whose
/// cap they exceed, for 60 s: every answer is a verified 200 or a 503 with Retry-After, and nothing leaks.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 32;
    private const int Target = 3;
    private const int Cap = 6;
    private const int KeptFilesPerClient = 16;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    private readonly LoadAnswers _answers = new();
    private int _executes;
    private int _fileExecutes;
    private int _uploads;
    private int _downloads;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Api_AnswersVerified200sOr503sAndLeaksNoSandbox_When32ClientsMixCallsOverTheCap()
    {
        using var docker = new DockerEngine("unix:///var/run/docker.sock");
        var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = Target.ToString(CultureInfo.InvariantCulture),
            ["App:EXECUTOR_MAX_SANDBOXES"] = Cap.ToString(CultureInfo.InvariantCulture),
            // As many starts at once as the cap allows: the cap, not the refill bound, is what the clients run into.
            ["App:EXECUTOR_REFILL_CONCURRENCY"] = Cap.ToString(CultureInfo.InvariantCulture),
            // Short, so that 32 clients over a cap of 6 are turned away instead of queueing for minutes.
            ["App:EXECUTOR_ACQUIRE_TIMEOUT"] = "2",
        });
        var maxLive = 0;
        var maxStarting = 0;
        var maxAlive = 0;
        try
        {
            using var client = await api.StartAsync(ready: Target, Ct);
            client.Timeout = TimeSpan.FromSeconds(120);
            using var stop = new CancellationTokenSource(Duration);
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var pool = api.Pool.Snapshot;
                    maxLive = Math.Max(maxLive, pool.Live);
                    maxStarting = Math.Max(maxStarting, pool.Starting);
                    maxAlive = Math.Max(maxAlive, pool.Live + pool.Starting);
                    await Task.Delay(20, CancellationToken.None);
                }
            }, CancellationToken.None);

            await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientLoopAsync(client, c, stop.Token), Ct)));
            await sampler;
            var afterLoad = api.Pool.Snapshot;

            output.WriteLine($"{Clients} clients for {Duration.TotalSeconds:0} s, pool target {Target}, cap {Cap}: "
                + $"executes {_executes} (with files {_fileExecutes}), uploads {_uploads}, downloads {_downloads}, "
                + $"503 {_answers.Rejected}, failures {_answers.Failures.Count}, most live sandboxes {maxLive}, most starting {maxStarting}, "
                + $"most live + starting {maxAlive}; "
                + $"pool when the load ended: {afterLoad}");
            _answers.Failures.ShouldBeEmpty(_answers.FirstFailures);
            _executes.ShouldBeGreaterThan(0);
            _fileExecutes.ShouldBeGreaterThan(0);
            _uploads.ShouldBeGreaterThan(0);
            _downloads.ShouldBeGreaterThan(0);
            _answers.Rejected.ShouldBeGreaterThan(0, "32 clients over a cap of 6 with a 2 s acquire timeout never reached the cap");
            maxLive.ShouldBeLessThanOrEqualTo(Cap);

            var containers = -1;
            try
            {
                await Eventually.TrueAsync(async () =>
                    {
                        containers = (await api.ContainersAsync(docker, Ct)).Count;
                        return api.Pool.Snapshot is { Ready: Target, Starting: 0, InUse: 0, Live: Target } && containers == Target;
                    },
                    TimeSpan.FromSeconds(90), $"the pool to settle at {Target} ready sandboxes and {Target} containers", Ct);
            }
            finally
            {
                output.WriteLine($"pool afterwards: {api.Pool.Snapshot}, containers of the instance: {containers}");
            }
        }
        finally
        {
            await api.DisposeAsync();
        }

        (await api.ContainersAsync(docker, Ct)).ShouldBeEmpty();
    }

    private async Task ClientLoopAsync(HttpClient client, int clientId, CancellationToken stop)
    {
        var random = new Random(clientId);
        var chat = $"load-{clientId}";
        var known = new List<KnownFile>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var tag = $"c{clientId}i{i}";
            var roll = random.Next(100);
            try
            {
                if (roll < 25 || (roll >= 85 && known.Count == 0))
                {
                    await UploadAsync(client, chat, tag, random, known);
                }
                else if (roll < 60)
                {
                    await ExecuteAsync(client, chat, tag, random);
                }
                else if (roll < 85 && known.Count > 0)
                {
                    await ExecuteWithFilesAsync(client, chat, tag, known[random.Next(known.Count)], random, known);
                }
                else if (known.Count > 0)
                {
                    await DownloadAsync(client, chat, tag, known[random.Next(known.Count)]);
                }
            }
            catch (Exception e)
            {
                _answers.Fail(tag, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private async Task ExecuteAsync(HttpClient client, string chat, string tag, Random random)
    {
        long a = random.Next(1, 1_000_000), b = random.Next(1, 1_000_000);
        var code = $"a, b = {a}, {b}\nprint(a * b + len('{tag}'), '{tag}')";

        var result = await PostExecuteAsync(client, tag, new { source_code = code, chat_id = chat, timeout_seconds = 30 });

        if (result is null)
        {
            return;
        }

        Check(tag, result.ExitCode == 0 && result.Stdout == $"{a * b + tag.Length} {tag}\n" && result.Files.Count == 0,
            $"execute answered exit {result.ExitCode}, stdout {result.Stdout}, stderr {result.Stderr}");
        Interlocked.Increment(ref _executes);
    }

    private async Task ExecuteWithFilesAsync(HttpClient client, string chat, string tag, KnownFile input, Random random,
        List<KnownFile> known)
    {
        var outputName = $"out-{tag}.bin";
        var code = $"""
            import hashlib
            data = open('/workspace/in/{input.Name}', 'rb').read()
            open('/workspace/{outputName}', 'wb').write(data[::-1] + b'{tag}')
            print(hashlib.sha256(data).hexdigest(), len(data))
            """;

        var result = await PostExecuteAsync(client, tag, new
        {
            source_code = code,
            chat_id = chat,
            timeout_seconds = 30,
            files = new Dictionary<string, string> { [$"/workspace/in/{input.Name}"] = input.Hash },
        });

        if (result is null)
        {
            return;
        }

        var expected = input.Bytes.Reverse().Concat(Encoding.ASCII.GetBytes(tag)).ToArray();
        var outputPath = $"/workspace/{outputName}";
        Check(tag, result.ExitCode == 0 && result.Stdout == $"{input.Hash} {input.Bytes.Length}\n"
                && result.Files.Count == 1 && result.Files.GetValueOrDefault(outputPath) == FileCalls.Sha256(expected),
            $"execute with files answered exit {result.ExitCode}, stdout {result.Stdout}, stderr {result.Stderr}, "
            + $"files {string.Join(", ", result.Files)}");
        Keep(known, new KnownFile(outputName, FileCalls.Sha256(expected), expected), random);
        Interlocked.Increment(ref _fileExecutes);
        Interlocked.Increment(ref _executes);
    }

    private async Task UploadAsync(HttpClient client, string chat, string tag, Random random, List<KnownFile> known)
    {
        var bytes = new byte[random.Next(1, 64 * 1024)];
        random.NextBytes(bytes);
        var name = $"up-{tag}.bin";

        using var response = await client.PostUploadAsync(chat, name, new ByteArrayContent(bytes), Ct);

        if (!await _answers.IsOkAsync(response, tag, Ct))
        {
            return;
        }

        var upload = JsonSerializer.Deserialize<UploadResponse>(await response.Content.ReadAsStringAsync(Ct), ExecuteCalls.Json)!;
        var hash = FileCalls.Sha256(bytes);
        Check(tag, upload.FileHash == hash && upload.Filename == name && upload.ChatId == chat,
            $"upload answered hash {upload.FileHash} (expected {hash}), filename {upload.Filename}, chat {upload.ChatId}");
        Keep(known, new KnownFile(name, hash, bytes), random);
        Interlocked.Increment(ref _uploads);
    }

    private async Task DownloadAsync(HttpClient client, string chat, string tag, KnownFile file)
    {
        using var response = await client.DownloadAsync(chat, file.Hash, file.Name, Ct);

        if (!await _answers.IsOkAsync(response, tag, Ct))
        {
            return;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Check(tag, bytes.AsSpan().SequenceEqual(file.Bytes), $"download of {file.Name} gave {bytes.Length} bytes that differ");
        Interlocked.Increment(ref _downloads);
    }

    private async Task<ExecuteResponse?> PostExecuteAsync(HttpClient client, string tag, object body)
    {
        using var response = await client.PostAsJsonAsync("/v1/execute", body, ExecuteCalls.Json, Ct);
        return await _answers.IsOkAsync(response, tag, Ct)
            ? JsonSerializer.Deserialize<ExecuteResponse>(await response.Content.ReadAsStringAsync(Ct), ExecuteCalls.Json)
            : null;
    }

    private void Check(string tag, bool correct, string what)
    {
        if (!correct)
        {
            _answers.Fail(tag, what);
        }
    }

    private static void Keep(List<KnownFile> known, KnownFile file, Random random)
    {
        if (known.Count < KeptFilesPerClient)
        {
            known.Add(file);
        }
        else
        {
            known[random.Next(known.Count)] = file;
        }
    }

    private sealed record KnownFile(string Name, string Hash, byte[] Bytes);
}
