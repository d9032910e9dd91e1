using System.Diagnostics;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The real API process refuses to start on the Kubernetes backend without a usable cluster configuration.</summary>
public sealed class KubernetesStartupTests
{
    [Fact]
    public async Task Startup_FailsNamingAppKubeconfig_WhenFileMissing()
    {
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "k8s-startup-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Interpreter.Api.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["APP_HTTP_LISTEN_ADDR"] = "127.0.0.1:0";
        info.Environment["APP_INSTANCE_NAME"] = "config-" + Guid.NewGuid().ToString("N")[..8];
        info.Environment["APP_FILE_STORAGE_PATH"] = storage;
        info.Environment["APP_EXECUTOR_BACKEND"] = "kubernetes";
        info.Environment["APP_KUBECONFIG"] = "/nonexistent/kubeconfig";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }

        process.ExitCode.ShouldBe(1, await stdout);
        var message = await stderr;
        message.ShouldContain("APP_KUBECONFIG");
        message.ShouldContain("/nonexistent/kubeconfig");
    }
}
