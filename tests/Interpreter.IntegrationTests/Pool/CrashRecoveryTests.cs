using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Pool;

/// <summary>The API as a real process: killed with SIGKILL, its successor removes the orphans.</summary>
[Collection(DockerCollection.Name)]
public sealed class CrashRecoveryTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_RemovesOrphanedSandboxes_WhenPreviousProcessWasKilled()
    {
        var instance = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var labels = new Dictionary<string, string> { [SandboxLabels.Instance] = instance };
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        var settings = new Dictionary<string, string> { ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2" };
        await using var first = ApiProcess.Start(instance, storage, settings);
        await Eventually.TrueAsync(async () => (await fixture.Docker.ListAsync(labels, Ct)).Count >= 2,
            TimeSpan.FromSeconds(90), "the first process to start its sandboxes", Ct);
        await first.KillAsync(Ct);
        var orphans = (await fixture.Docker.ListAsync(labels, Ct)).Select(c => c.ID).ToHashSet();
        orphans.Count.ShouldBeGreaterThanOrEqualTo(2);

        await using var second = ApiProcess.Start(instance, storage, settings);
        try
        {
            await Eventually.TrueAsync(async () =>
                {
                    var now = (await fixture.Docker.ListAsync(labels, Ct)).Select(c => c.ID).ToHashSet();
                    return !now.Overlaps(orphans);
                },
                TimeSpan.FromSeconds(60), "the restarted process to remove the orphans", Ct);
        }
        finally
        {
            // A graceful stop, which removes the second run's own sandboxes.
            await second.StopAsync(Ct);
        }

        (await fixture.Docker.ListAsync(labels, Ct)).ShouldBeEmpty();
    }
}
