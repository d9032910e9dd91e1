using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Containers;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// What the code must not reach inside its own sandbox, against real sandboxes: its agent's token (in no
/// environment block, no memory it inherited), its agent (no request of its own is ever served, by socket or TCP),
/// per-uid kernel limits shared with another sandbox, io_uring, and the host's kernel command line. The token is
/// taken in-process from the sandbox the backend made; the code only gets a prefix and a hash of it.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SandboxIsolationTests(DockerFixture fixture, ExecutorContainers containers) : IClassFixture<ExecutorContainers>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ISandboxBackend Backend => fixture.Api.Services.GetRequiredService<ISandboxBackend>();

    /// <summary>The pool's start: the backend's create, then the one wait for the agent.</summary>
    private SandboxStarter Starter => fixture.Api.Services.GetRequiredService<SandboxStarter>();

    private AgentConnector Agents => fixture.Api.Services.GetRequiredService<AgentConnector>();

    // Scans every environment block it can read, all of its own readable memory and every Python object it can
    // reach for the token (given as a prefix and a sha256), and for a control secret it does hold.
    private const string ScanForTheToken = """
        import gc, hashlib, os, sys
        n = int(os.environ["N"])
        targets = {"token": (os.environ["P"].encode(), os.environ["H"]),
                   "control": (os.environ["CP"].encode(), os.environ["CH"])}
        def scan(data, found):
            for name, (prefix, digest) in targets.items():
                i = data.find(prefix)
                while i != -1:
                    if hashlib.sha256(data[i:i + n]).hexdigest() == digest:
                        found[name] = found.get(name, 0) + 1
                    i = data.find(prefix, i + 1)
        environs, readable = {}, 0
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self"]:
            try:
                data = open(f"/proc/{pid}/environ", "rb").read()
            except OSError:
                continue
            readable += 1
            scan(data, environs)
        memory, scanned = {}, 0
        with open("/proc/self/mem", "rb", buffering=0) as mem:
            for line in open("/proc/self/maps").read().splitlines():
                fields = line.split()
                if "r" not in fields[1] or line.endswith(("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                at = start
                while at < end:
                    size = min(16 << 20, end - at)
                    try:
                        mem.seek(at)
                        block = mem.read(size + n if at + size < end else size)
                    except (OSError, OverflowError, ValueError):
                        break
                    scanned += len(block)
                    scan(block, memory)
                    at += size
        objects = {}
        frame = sys._getframe()
        values = []
        while frame is not None:
            values += list(frame.f_globals.values()) + list(frame.f_locals.values())
            frame = frame.f_back
        for o in values + gc.get_objects():
            if isinstance(o, str):
                scan(o.encode("utf-8", "surrogatepass"), objects)
            elif isinstance(o, (bytes, bytearray)):
                scan(bytes(o), objects)
            elif isinstance(o, dict):
                for k, v in list(o.items()):
                    for x in (k, v):
                        if isinstance(x, str) and len(x) >= n:
                            scan(x.encode("utf-8", "surrogatepass"), objects)
        print("environs", readable, environs.get("token", 0))
        print("memory", scanned > 50 << 20, memory.get("token", 0), memory.get("control", 0) > 0)
        print("objects", objects.get("token", 0), objects.get("control", 0) > 0)
        """;

    [Fact]
    public async Task Code_FindsTheAgentTokenNowhere_WhenItScansEveryEnvironmentItsMemoryAndItsObjects()
    {
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var env = ScanEnvironment(sandbox.Agent.Token.ShouldNotBeNull());

            var result = await Agents.For(sandbox.Agent).ExecuteAsync(new AgentExecuteRequest(ScanForTheToken, env, 90), TimeSpan.FromSeconds(150), Ct);

            ShouldFindTheTokenNowhere(result.ExitCode, result.Stdout, result.Stderr);
            // On Docker the token came as a file in the socket folder: gone before the code ran.
            File.Exists(Path.Combine(Path.GetDirectoryName(sandbox.Agent.UnixSocketPath)!, "token")).ShouldBeFalse();
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    [Fact]
    public async Task Code_FindsTheAgentTokenNowhere_WhenThePreparedChildDiedAndTheRunGetsAFreshInterpreter()
    {
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var uid = (await DockerAsync(["exec", sandbox.Id, "id", "-u"])).Trim();
            // Kill the prepared child (the agent's only child; an exec'd process has no parent in the sandbox) and
            // wait until it is a zombie: SIGKILL is delivered asynchronously.
            const string killPreparedChild = """
                import os, time
                def stat(p):
                    return open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
                child = [p for p in os.listdir("/proc") if p.isdigit() and p != "1" and stat(p)[1] == "1"]
                for p in child:
                    os.kill(int(p), 9)
                def dead(p):
                    try:
                        return stat(p)[0] == "Z"
                    except OSError:
                        return True
                while not all(dead(p) for p in child):
                    time.sleep(0.01)
                print(len(child))
                """;
            var killed = await DockerAsync(["exec", "-u", uid, sandbox.Id, "python3", "-c", killPreparedChild]);
            killed.Trim().ShouldBe("1");
            var env = ScanEnvironment(sandbox.Agent.Token.ShouldNotBeNull());

            var result = await Agents.For(sandbox.Agent).ExecuteAsync(
                new AgentExecuteRequest("print(open('/proc/self/cmdline', 'rb').read().split(b'\\0')[2:3])\n" + ScanForTheToken, env, 90),
                TimeSpan.FromSeconds(150), Ct);

            var cmdline = result.Stdout.Split('\n')[0];
            cmdline.ShouldBe("[b'--child']", $"not the fresh interpreter: {result.Stderr}");
            ShouldFindTheTokenNowhere(result.ExitCode, result.Stdout[(cmdline.Length + 1)..], result.Stderr);
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    [Fact]
    public async Task Code_FindsTheAgentTokenNowhere_WhenTheTokenCameAsAnEnvironmentVariable()
    {
        // As on Kubernetes: AGENT_TOKEN in the container's environment, the agent on TCP.
        var token = AgentEndpoint.NewToken();
        var container = await containers.StartAsync(builder => builder
            .WithName("it-agent-env-" + Guid.NewGuid().ToString("N")[..8])
            .WithEnvironment("AGENT_LISTEN", "0.0.0.0:8000")
            .WithEnvironment("AGENT_TOKEN", token)
            .WithCreateParameterModifier(create => Harden(create, "2100000002", memory: 512L << 20,
                workspace: "exec,uid=2100000002,gid=2100000002,mode=0755", tmp: "exec,mode=1777")), Ct);
        try
        {
            var ip = container.IpAddress;
            (await HealthOverTcpAsync(ip, token)).ShouldStartWith("HTTP/1.1 200");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(150) };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{ip}:8000/execute")
            {
                Content = JsonContent.Create(new Dictionary<string, object>
                {
                    ["source_code"] = ScanForTheToken,
                    ["env"] = ScanEnvironment(token),
                    ["timeout_seconds"] = 90,
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

            using var response = await http.SendAsync(request, Ct);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

            response.IsSuccessStatusCode.ShouldBeTrue(result.ToString());
            ShouldFindTheTokenNowhere(result.GetProperty("exit_code").GetInt32(), result.GetProperty("stdout").GetString()!,
                result.GetProperty("stderr").GetString()!);
        }
        finally
        {
            await container.DisposeAsync();
        }
    }

    [Fact]
    public async Task Agent_NeverServesWhatTheCodeQueued_WhenCodeDrivesItsOwnSocketWithTheRealToken()
    {
        // The code queues an execute on its agent's socket (with the real token), keeps that connection alive by
        // passing its descriptor over a second one (SCM_RIGHTS), then waits for its own timeout.
        const string code = """
            import array, json, os, socket, time
            body = json.dumps({"source_code": "open('/workspace/marker.txt','w').write('queued run')\nwhile True: pass",
                               "timeout_seconds": 86400}).encode()
            request = (b"POST /execute HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer " + os.environ["T"].encode()
                       + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                       + b"\r\n\r\n" + body)
            queued = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            queued.connect("/run/agent/agent.sock")
            queued.sendall(request)
            carrier = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            carrier.connect("/run/agent/agent.sock")
            carrier.sendmsg([b"GET /health HTTP/1.1\r\nHost: agent\r\n\r\n"],
                            [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [queued.fileno()]))])
            queued.close()
            print("queued", flush=True)
            time.sleep(3600)
            """;
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var agent = Agents.For(sandbox.Agent);
            var env = new Dictionary<string, string> { ["T"] = sandbox.Agent.Token.ShouldNotBeNull() };
            var clock = Stopwatch.StartNew();

            var result = await agent.ExecuteAsync(new AgentExecuteRequest(code, env, 4), TimeSpan.FromSeconds(60), Ct);
            var ranFor = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            using var lookup = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            lookup.CancelAfter(TimeSpan.FromSeconds(15));
            var marker = await Should.ThrowAsync<AgentUnavailableException>(() => agent.OpenFileAsync("/workspace/marker.txt", TimeSpan.FromSeconds(15), lookup.Token));
            var again = await Should.ThrowAsync<AgentUnavailableException>(
                () => agent.ExecuteAsync(new AgentExecuteRequest("print('second')", new Dictionary<string, string>(), 5), TimeSpan.FromSeconds(15), Ct));
            var healthy = await agent.IsHealthyAsync(TimeSpan.FromSeconds(5), Ct);

            result.TimedOut.ShouldBeTrue(result.Stderr);
            result.Stdout.ShouldBe("queued\n");
            result.Files.ShouldBeEmpty();
            ranFor.ShouldBeLessThan(TimeSpan.FromSeconds(15));
            marker.Message.ShouldContain("404", customMessage: "the request the code queued ran");
            again.Message.ShouldContain("409");
            healthy.ShouldBeTrue();
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    [Fact]
    public async Task Agent_ClosesUnservedAConnectionFromTheSandboxUid_WhenAnotherUidIsServed()
    {
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var uid = (await DockerAsync(["exec", sandbox.Id, "id", "-u"])).Trim();
            var probe = $"""
                import socket
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect("/run/agent/agent.sock")
                s.settimeout(10)
                try:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer {sandbox.Agent.Token}\r\n\r\n")
                    print(repr(s.recv(12)))
                except (BrokenPipeError, ConnectionResetError):  # closed before the request was even read
                    print(repr(b""))
                """;

            var asSandbox = await DockerAsync(["exec", "-u", uid, sandbox.Id, "python3", "-c", probe]);
            var asOtherUid = await DockerAsync(["exec", "-u", "4242", sandbox.Id, "python3", "-c", probe]);

            uid.ShouldMatch("^[0-9]+$");
            int.Parse(uid, CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(2000000000);
            asSandbox.Trim().ShouldBe("b''", "a process with the code's uid was served");
            asOtherUid.Trim().ShouldBe("b'HTTP/1.1 200'");
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    [Fact]
    public async Task Agent_ClosesUnservedConnectionsFromTheSandboxsOwnAddresses_WhenItListensOnTcp()
    {
        const string token = "tcp-test-token";
        var container = await containers.StartAsync(builder => builder
            .WithName("it-agent-tcp-" + Guid.NewGuid().ToString("N")[..8])
            .WithLabel("io.computesandbox.test", "tcp")
            .WithEnvironment("AGENT_LISTEN", "0.0.0.0:8000")
            .WithEnvironment("AGENT_TOKEN", token)
            .WithCreateParameterModifier(create => Harden(create, "2100000001", memory: null,
                workspace: "uid=2100000001,gid=2100000001,mode=0755", tmp: "mode=1777")), Ct);
        try
        {
            var ip = container.IpAddress;
            var fromHost = await HealthOverTcpAsync(ip, token);
            var probe = $"""
                import socket
                out = []
                for host in ("127.0.0.1", "{ip}"):
                    s = socket.create_connection((host, 8000), timeout=10)
                    try:
                        s.sendall(b"GET /health HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer {token}\r\n\r\n")
                        out.append(repr(s.recv(12)))
                    except (BrokenPipeError, ConnectionResetError):  # closed before the request was read
                        out.append(repr(b""))
                print(" ".join(out))
                """;

            var fromInside = await ExecAsync(container, ["python3", "-c", probe]);

            fromHost.ShouldStartWith("HTTP/1.1 200");
            fromInside.Trim().ShouldBe("b'' b''", "code connecting to its own agent over TCP was served");
        }
        finally
        {
            await container.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sandboxes_KeepTheirOwnPerUidLimits_WhenOneExhaustsInotifyAndMessageQueues()
    {
        const string hog = """
            import ctypes, os, time
            libc = ctypes.CDLL(None, use_errno=True)
            held = 0
            while libc.inotify_init() >= 0:
                held += 1
            inotify_error = os.strerror(ctypes.get_errno())
            queues = 0
            while libc.mq_open(f"/hog{queues}".encode(), os.O_CREAT | os.O_RDWR, 0o600, None) >= 0:
                queues += 1
            mq_error = os.strerror(ctypes.get_errno())
            print("held", held, inotify_error, "queues", queues, mq_error, flush=True)
            time.sleep(float(os.environ["HOLD"]))
            """;
        const string neighbour = """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init()
            print("inotify", "ok" if fd >= 0 else os.strerror(ctypes.get_errno()))
            q = libc.mq_open(b"/neighbour", os.O_CREAT | os.O_RDWR, 0o600, None)
            print("mq_open", "ok" if q >= 0 else os.strerror(ctypes.get_errno()))
            """;
        var first = await Starter.StartAsync(Ct);
        var second = await Starter.StartAsync(Ct);
        try
        {
            var hogging = Agents.For(first.Agent).ExecuteAsync(
                new AgentExecuteRequest(hog, new Dictionary<string, string> { ["HOLD"] = "12" }, 60), TimeSpan.FromSeconds(90), Ct);
            await Task.Delay(TimeSpan.FromSeconds(4), Ct);

            var beside = await Agents.For(second.Agent).ExecuteAsync(
                new AgentExecuteRequest(neighbour, new Dictionary<string, string>(), 30), TimeSpan.FromSeconds(60), Ct);
            var hogged = await hogging;

            hogged.ExitCode.ShouldBe(0, hogged.Stderr);
            hogged.Stdout.ShouldMatch(@"^held ([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]) Too many open files queues [0-9]+ Too many open files\n$");
            beside.Stdout.ShouldBe("inotify ok\nmq_open ok\n", beside.Stderr);
        }
        finally
        {
            await Backend.DestroyAsync(first, Ct);
            await Backend.DestroyAsync(second, Ct);
        }
    }

    [Fact]
    public async Task Code_GetsEnosysFromIoUringAndAnEmptyKernelCommandLine_WhenItProbesTheKernel()
    {
        const string code = """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            params = ctypes.create_string_buffer(120)
            fd = libc.syscall(425, 8, params)
            print("io_uring_setup", fd, os.strerror(ctypes.get_errno()) if fd < 0 else "")
            for nr in (426, 427):
                r = libc.syscall(nr, 0, 0, 0, 0, 0)
                print(nr, r, os.strerror(ctypes.get_errno()))
            print("cmdline", repr(open("/proc/cmdline").read()))
            """;
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var result = await Agents.For(sandbox.Agent).ExecuteAsync(
                new AgentExecuteRequest(code, new Dictionary<string, string>(), 30), TimeSpan.FromSeconds(60), Ct);

            result.Stdout.ShouldBe(
                "io_uring_setup -1 Function not implemented\n426 -1 Function not implemented\n427 -1 Function not implemented\ncmdline ''\n",
                result.Stderr);
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    [Fact]
    public async Task Code_HasAHomeAUserNameAndMatplotlib_WhenItsUidHasNoPasswdEntry()
    {
        const string code = """
            import getpass, os, pwd
            try:
                pwd.getpwuid(os.getuid())
                print("passwd entry")
            except KeyError:
                print("no passwd entry")
            print(getpass.getuser(), os.path.expanduser("~"))
            import matplotlib, matplotlib.pyplot as plt
            print(matplotlib.get_configdir())
            plt.plot([1, 2, 3]); plt.savefig("/workspace/plot.png")
            print(os.path.getsize("/workspace/plot.png") > 0)
            """;
        var sandbox = await Starter.StartAsync(Ct);
        try
        {
            var result = await Agents.For(sandbox.Agent).ExecuteAsync(
                new AgentExecuteRequest(code, new Dictionary<string, string>(), 30), TimeSpan.FromSeconds(60), Ct);

            result.Stdout.ShouldBe("no passwd entry\nsandbox /tmp\n/tmp/matplotlib\nTrue\n", result.Stderr);
        }
        finally
        {
            await Backend.DestroyAsync(sandbox, Ct);
        }
    }

    private static Dictionary<string, string> ScanEnvironment(string token)
    {
        var control = AgentEndpoint.NewToken();
        return new Dictionary<string, string>
        {
            ["N"] = token.Length.ToString(CultureInfo.InvariantCulture),
            ["P"] = token[..8],
            ["H"] = Sha256(token),
            // A secret of the same shape the code does hold: proves the scans find what is there.
            ["C"] = control,
            ["CP"] = control[..8],
            ["CH"] = Sha256(control),
        };
    }

    private static void ShouldFindTheTokenNowhere(int exitCode, string stdout, string stderr)
    {
        exitCode.ShouldBe(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3, stdout);
        lines[0].ShouldStartWith("environs ");
        lines[0].ShouldEndWith(" 0", customMessage: "an environment block holds the token");
        lines[1].ShouldBe("memory True 0 True", "the token is in the code's memory (or the scan found nothing at all)");
        lines[2].ShouldBe("objects 0 True", "a Python object of the code holds the token");
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<string> HealthOverTcpAsync(string ip, string token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(ip, 8000, Ct);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health HTTP/1.1\r\nHost: agent\r\nAuthorization: Bearer {token}\r\n\r\n"), Ct);
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer, Ct);
                return Encoding.ASCII.GetString(buffer, 0, read);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    /// <summary>What <c>docker run --cap-drop ALL --security-opt no-new-privileges --read-only -u uid:uid --tmpfs ...</c> set.</summary>
    private static void Harden(CreateContainerParameters create, string uid, long? memory, string workspace, string tmp)
    {
        create.User = $"{uid}:{uid}";
        create.HostConfig ??= new HostConfig();
        create.HostConfig.CapDrop = ["ALL"];
        create.HostConfig.SecurityOpt = ["no-new-privileges"];
        create.HostConfig.ReadonlyRootfs = true;
        create.HostConfig.Tmpfs = new Dictionary<string, string> { ["/workspace"] = workspace, ["/tmp"] = tmp };
        if (memory is { } bytes)
        {
            create.HostConfig.Memory = bytes;
        }
    }

    /// <summary><c>docker exec</c> through Testcontainers: the command's stdout, its stderr naming no error.</summary>
    private static async Task<string> ExecAsync(IContainer container, IList<string> command)
    {
        var result = await container.ExecAsync(command, Ct);
        result.Stderr.ShouldNotContain("Error", Case.Insensitive, $"exec {string.Join(' ', command)}");
        return result.Stdout;
    }

    private static async Task<string> DockerAsync(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        (await stderr).ShouldNotContain("Error", Case.Insensitive, $"docker {string.Join(' ', arguments)}");
        return await stdout;
    }
}
