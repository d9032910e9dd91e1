using System.Net;
using System.Net.Http.Json;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Pool;

/// <summary>The warm pool's promises, each against the real engine.</summary>
[Collection(DockerCollection.Name)]
public sealed class PoolTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Acquire_DiscardsDeadSandboxes_WhenReadyOnesWereKilled()
    {
        var ready = await fixture.Api.ContainersAsync(fixture.Docker, Ct);
        ready.ShouldNotBeEmpty();
        foreach (var container in ready)
        {
            await fixture.Docker.RemoveAsync(container.ID, Ct);
        }

        var result = await fixture.Client.ExecuteAsync("print('after the purge')", Ct);

        result.Stdout.ShouldBe("after the purge\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_Answers503WithRetryAfter_WhenNoSandboxWithinAcquireTimeout()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
            ["App:EXECUTOR_MAX_SANDBOXES"] = "1",
            ["App:EXECUTOR_ACQUIRE_TIMEOUT"] = "1",
        });
        using var client = await api.StartAsync(ready: 1, Ct);
        var busy = client.ExecuteAsync("import time\ntime.sleep(8)\nprint('done')", Ct, timeoutSeconds: 30);
        await Eventually.TrueAsync(() => Task.FromResult(api.Pool.Snapshot.InUse == 1), TimeSpan.FromSeconds(10),
            "the only sandbox to be in use", Ct);

        using var response = await client.PostAsJsonAsync("/v1/execute",
            new { source_code = "print(1)", chat_id = "tests" }, ExecuteCalls.Json, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("No sandbox became available");
        (await busy).Stdout.ShouldBe("done\n");
    }

    [Fact]
    public async Task Pool_KeepsRefillConcurrencyAndCap_WhenBurstExceedsTarget()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
            ["App:EXECUTOR_MAX_SANDBOXES"] = "3",
            ["App:EXECUTOR_REFILL_CONCURRENCY"] = "1",
        });
        using var client = await api.StartAsync(ready: 1, Ct);
        var maxStarting = 0;
        var maxLive = 0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var snapshot = api.Pool.Snapshot;
                maxStarting = Math.Max(maxStarting, snapshot.Starting);
                maxLive = Math.Max(maxLive, snapshot.Live);
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(i => client.ExecuteAsync($"print({i})", Ct, timeoutSeconds: 30)));
        await sampling.CancelAsync();
        await sampler;

        results.Select(r => r.Stdout).ShouldBe(Enumerable.Range(0, 6).Select(i => $"{i}\n"));
        maxStarting.ShouldBe(1);
        maxLive.ShouldBeLessThanOrEqualTo(3);
        (await api.ContainersAsync(fixture.Docker, Ct)).Count.ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task Pool_ReplacesSandboxes_WhenIdleLongerThanMaxIdleAge()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2",
            ["App:EXECUTOR_MAX_IDLE_SECONDS"] = "3",
        });
        using var client = await api.StartAsync(ready: 2, Ct);
        var first = (await api.ContainersAsync(fixture.Docker, Ct)).Select(c => c.ID).ToHashSet();

        await Eventually.TrueAsync(async () =>
            {
                var now = (await api.ContainersAsync(fixture.Docker, Ct)).Select(c => c.ID).ToHashSet();
                return !now.Overlaps(first) && api.Pool.Snapshot.Ready >= 2;
            },
            TimeSpan.FromSeconds(60), "every idle sandbox to be replaced by a fresh one", Ct);

        (await client.ExecuteAsync("print('fresh')", Ct)).Stdout.ShouldBe("fresh\n");
    }

    [Fact]
    public async Task Shutdown_RemovesEverySandbox_WhenApiStops()
    {
        var api = new SandboxApiFactory(new Dictionary<string, string> { ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "3" });
        using (var client = await api.StartAsync(ready: 3, Ct))
        {
            (await client.ExecuteAsync("print(1)", Ct)).ExitCode.ShouldBe(0);
        }

        (await api.ContainersAsync(fixture.Docker, Ct)).Count.ShouldBeGreaterThanOrEqualTo(3);

        await api.DisposeAsync();

        (await api.ContainersAsync(fixture.Docker, Ct)).ShouldBeEmpty();
    }
}
