using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The real API process refuses to start on the Kubernetes backend without a usable cluster configuration.</summary>
public sealed class KubernetesStartupTests
{
    [Fact]
    public async Task Startup_FailsNamingAppKubeconfig_WhenFileMissing()
    {
        var settings = new Dictionary<string, string>
        {
            ["APP_EXECUTOR_BACKEND"] = "kubernetes",
            ["APP_KUBECONFIG"] = "/nonexistent/kubeconfig",
        };

        var exit = await ApiProcess.RunUntilExitAsync(settings, TestContext.Current.CancellationToken);

        exit.ExitCode.ShouldBe(1, exit.StandardOutput);
        exit.StandardError.ShouldContain("APP_KUBECONFIG");
        exit.StandardError.ShouldContain("/nonexistent/kubeconfig");
    }
}
