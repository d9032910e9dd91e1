using Interpreter.IntegrationTests.Execute;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The backend-neutral execution tests against real pods on the cluster KUBECONFIG names.</summary>
[Collection(KubernetesCollection.Name)]
public sealed class KubernetesExecuteTests(KubernetesFixture fixture) : ExecuteTestsBase
{
    protected override HttpClient Client => fixture.Client;

    protected override async Task<bool> SandboxExistsAsync(string hostname, CancellationToken ct)
    {
        // A pod's hostname is its name.
        hostname.ShouldStartWith("code-executor-");
        return await fixture.Pods.GetAsync(hostname, ct) is not null;
    }

    [Fact]
    public async Task Execute_RunsInAHardenedPod_WhenOnKubernetes()
    {
        const string code = """
            import os
            status = open('/proc/self/status').read()
            caps = [l.split()[1] for l in status.splitlines() if l.startswith(('CapEff', 'CapBnd'))]
            nnp = [l.split()[1] for l in status.splitlines() if l.startswith('NoNewPrivs')]
            seccomp = [l.split()[1] for l in status.splitlines() if l.startswith('Seccomp:')]
            print(os.getuid(), os.getgid(), caps, nnp, seccomp)
            """;

        var result = await Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        // Each pod runs under a uid of its own from APP_EXECUTOR_SANDBOX_UIDS (default 2000000000-2000065535).
        result.Stdout.ShouldMatch(@"^(20000[0-9]{5}) \1 \['0000000000000000', '0000000000000000'\] \['1'\] \['2'\]\n$");
    }
}
