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

    [Fact]
    public async Task Execute_CannotReachItsOwnAgentNorSeeItsToken_WhenInAPod()
    {
        // The agent listens on the pod IP; code in the pod connects to it and to loopback, and looks for the token in
        // every environment block it can read (the agent re-executed itself without AGENT_TOKEN before anything ran).
        const string code = """
            import os, socket
            def probe(host):
                s = socket.create_connection((host, 8000), timeout=5)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(5)
                try:
                    data = s.recv(100)
                except OSError as e:
                    data = type(e).__name__.encode()
                s.close()
                return data[:12] if data else b"closed"
            own = socket.gethostbyname(socket.gethostname())
            print("loopback", probe("127.0.0.1").decode())
            print("pod ip", probe(own).decode())
            leaked = []
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        if b"AGENT_TOKEN=" in open(f"/proc/{pid}/environ", "rb").read():
                            leaked.append(pid)
                    except OSError:
                        pass
            print("token in environ of", leaked)
            """;

        var result = await Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        // Never an answer: the agent is busy with this very run (the connection waits unserved in its queue and is
        // closed when the run ends) or closes it at once; either way no byte of HTTP comes back.
        result.Stdout.ShouldMatch(@"^loopback (closed|TimeoutError)\npod ip (closed|TimeoutError)\ntoken in environ of \[\]\n$");
    }
}
