using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        using var first = StartApi(instance);
        await Eventually.TrueAsync(async () => (await fixture.Docker.ListContainersAsync(labels, Ct)).Count >= 2,
            TimeSpan.FromSeconds(90), "the first process to start its sandboxes", Ct);
        first.Kill();
        await first.WaitForExitAsync(Ct);
        var orphans = (await fixture.Docker.ListContainersAsync(labels, Ct)).Select(c => c.Id).ToHashSet();
        orphans.Count.ShouldBeGreaterThanOrEqualTo(2);

        using var second = StartApi(instance);
        try
        {
            await Eventually.TrueAsync(async () =>
                {
                    var now = (await fixture.Docker.ListContainersAsync(labels, Ct)).Select(c => c.Id).ToHashSet();
                    return !now.Overlaps(orphans);
                },
                TimeSpan.FromSeconds(60), "the restarted process to remove the orphans", Ct);
        }
        finally
        {
            // SIGTERM: a graceful stop, which removes the second run's own sandboxes.
            using var term = Process.Start("kill", ["-TERM", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync(Ct);
            await second.WaitForExitAsync(Ct);
        }

        (await fixture.Docker.ListContainersAsync(labels, Ct)).ShouldBeEmpty();
    }

    private static Process StartApi(string instance)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Interpreter.Api.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["APP_INSTANCE_NAME"] = instance;
        info.Environment["APP_EXECUTOR_IMAGE"] = TestImage.Name;
        info.Environment["APP_HTTP_LISTEN_ADDR"] = $"127.0.0.1:{FreePort()}";
        info.Environment["APP_FILE_STORAGE_PATH"] = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        info.Environment["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2";
        var process = Process.Start(info)!;
        // Drain the pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
