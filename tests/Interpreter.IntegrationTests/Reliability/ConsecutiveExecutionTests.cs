using System.Text.Json;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// The single-use promise between consecutive executions (../shared/spec/SANDBOX.md): nothing one execution leaves
/// behind (processes, files in /workspace, /tmp, /dev/shm and the home folder, System V and POSIX IPC, abstract unix
/// sockets, environment, the limits it changed) reaches the next one, and one execution's fork bomb or memory bomb
/// does not hurt the next. The leaving run first proves each trace exists (so the check of the next run cannot pass
/// because nothing was left); the next run then looks for every one of them by name.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ConsecutiveExecutionTests(DockerFixture fixture)
{
    private const string Prelude = """
        import ctypes, glob, json, os, resource, signal, socket, sys, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
        IPC_CREAT = 0o1000
        places = ["/workspace", "/tmp", "/dev/shm", os.path.expanduser("~")]
        def limits():
            mask = os.umask(0)
            os.umask(mask)
            return {"umask": mask, "nice": os.nice(0),
                    "nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
                    "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)),
                    "core": list(resource.getrlimit(resource.RLIMIT_CORE))}

        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NextExecution_FindsNoTraceOfTheLast_WhenItLeftProcessesFilesIpcSocketsEnvironmentAndLimits()
    {
        // Arrange: what a fresh execution sees, before anything was left behind.
        var (nonce, key) = NewTraceNames();
        var baseline = await RunJsonAsync(Prelude + "print(json.dumps(limits()))");

        // Act
        var made = await RunJsonAsync(Prelude + Leave(nonce, key, baseline));
        var next = await RunJsonAsync(Prelude + Look(nonce, key));

        // Assert: every trace existed in the leaving run, and none of them in the next one.
        ShouldHaveLeftEveryTrace(made);
        var seen = next.GetProperty("seen");
        foreach (var property in seen.EnumerateObject().Where(p => p.Name != "workspace entries"))
        {
            property.Value.GetBoolean().ShouldBeFalse($"the next execution found '{property.Name}' of the last: {seen}");
        }

        seen.GetProperty("workspace entries").GetArrayLength().ShouldBe(0, seen.ToString());
        next.GetProperty("limits").GetRawText().ShouldBe(baseline.GetRawText());
    }

    [Fact]
    public async Task TraceSearch_FindsEveryTrace_WhenItRunsInTheExecutionThatLeftThem()
    {
        // Arrange: the control. The same search, run where the traces are, must find each of them, so the test above
        // cannot pass because its search is blind.
        var (nonce, key) = NewTraceNames();
        var baseline = await RunJsonAsync(Prelude + "print(json.dumps(limits()))");

        // Act
        var result = await fixture.Client.ExecuteAsync(Prelude + Leave(nonce, key, baseline) + "\n" + Look(nonce, key), Ct);

        // Assert
        result.ExitCode.ShouldBe(0, result.Stderr);
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(2, result.Stdout);
        ShouldHaveLeftEveryTrace(JsonDocument.Parse(lines[0]).RootElement);
        var found = JsonDocument.Parse(lines[1]).RootElement;
        var seen = found.GetProperty("seen");
        foreach (var property in seen.EnumerateObject().Where(p => p.Name != "workspace entries"))
        {
            property.Value.GetBoolean().ShouldBeTrue($"the search missed '{property.Name}' where it was left: {seen}");
        }

        seen.GetProperty("workspace entries").EnumerateArray().Select(e => e.GetString())
            .ShouldBe([$"leak-{nonce}"]);
        found.GetProperty("limits").GetRawText().ShouldNotBe(baseline.GetRawText());
    }

    private static (string Nonce, int Key) NewTraceNames() =>
        (Guid.NewGuid().ToString("N")[..16], Random.Shared.Next(0x10000, 0x7fffffff));

    private static void ShouldHaveLeftEveryTrace(JsonElement made)
    {
        var traces = new[]
        {
            "/workspace", "/tmp", "/dev/shm", "sysv shm", "sysv msg", "sysv sem", "posix mq", "abstract socket",
            "process", "limits changed",
        };
        foreach (var trace in traces)
        {
            made.TryGetProperty(trace, out var value).ShouldBeTrue($"the leaving run did not report '{trace}': {made}");
            value.GetBoolean().ShouldBeTrue($"the leaving run could not leave '{trace}': {made}");
        }
    }

    /// <summary>Python that leaves every trace named by the nonce and key, and reports that each one exists.</summary>
    private static string Leave(string nonce, int key, JsonElement baseline) => $$"""
            N, KEY = "{{nonce}}", {{key}}
            made = {}
            for place in places:
                path = os.path.join(place, "leak-" + N)
                with open(path, "w") as f:
                    f.write(N)
                made[place] = os.path.exists(path)
            made["sysv shm"] = libc.shmget(KEY, 4096, IPC_CREAT | 0o666) >= 0
            made["sysv msg"] = libc.msgget(KEY, IPC_CREAT | 0o666) >= 0
            made["sysv sem"] = libc.semget(KEY, 1, IPC_CREAT | 0o666) >= 0
            made["posix mq"] = libc.mq_open(("/leak-" + N).encode(), os.O_CREAT | os.O_RDWR, 0o666, None) >= 0
            # A daemon outside the run's process group that ignores the polite signals, holds an abstract socket and
            # names itself in its command line.
            ready_r, ready_w = os.pipe()
            if os.fork() == 0:
                os.setsid()
                if os.fork() != 0:
                    os._exit(0)
                server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                server.bind("\0leak-" + N)
                server.listen(8)
                server.set_inheritable(True)
                os.write(ready_w, b"x")
                serve = ("import os, signal, socket\n"
                         "for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT): signal.signal(s, signal.SIG_IGN)\n"
                         "server = socket.socket(fileno=int(os.environ['LEAK_FD']))\n"
                         "while True:\n"
                         "    c, _ = server.accept(); c.sendall(b'alive'); c.close()\n")
                os.execve(sys.executable, [sys.executable, "-c", serve, "leak-" + N],
                          dict(os.environ, LEAK_FD=str(server.fileno())))
            os.read(ready_r, 1)
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            for _ in range(100):
                try:
                    probe.connect("\0leak-" + N)
                    made["abstract socket"] = probe.recv(16) == b"alive"
                    break
                except OSError:
                    time.sleep(0.05)
            marker = ("leak-" + N).encode()
            made["process"] = any(marker in open(p, "rb").read() for p in glob.glob("/proc/[0-9]*/cmdline")
                                  if p != f"/proc/{os.getpid()}/cmdline")
            os.environ["LEAK_" + N] = N
            os.umask(0o077)
            os.nice(7)
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
            resource.setrlimit(resource.RLIMIT_NPROC, (5, 5))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            made["limits changed"] = limits() != json.loads('{{JsonSerializer.Serialize(baseline)}}')
            print(json.dumps(made))
            """;

    /// <summary>Python that looks for every trace named by the nonce and key, and reports what it saw.</summary>
    private static string Look(string nonce, int key) => $$"""
            N, KEY = "{{nonce}}", {{key}}
            seen = {}
            for place in places:
                seen[place] = os.path.exists(os.path.join(place, "leak-" + N))
            seen["sysv shm"] = libc.shmget(KEY, 0, 0) >= 0
            seen["sysv msg"] = libc.msgget(KEY, 0) >= 0
            seen["sysv sem"] = libc.semget(KEY, 0, 0) >= 0
            seen["posix mq"] = libc.mq_open(("/leak-" + N).encode(), os.O_RDONLY, 0, None) >= 0
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect("\0leak-" + N)
                seen["abstract socket"] = True
            except OSError:
                seen["abstract socket"] = False
            marker = ("leak-" + N).encode()
            seen["process"] = any(marker in open(p, "rb").read() for p in glob.glob("/proc/[0-9]*/cmdline")
                                  if p != f"/proc/{os.getpid()}/cmdline")
            seen["environment"] = any(N in value for value in os.environ.values())
            seen["workspace entries"] = sorted(os.listdir("/workspace"))
            print(json.dumps({"seen": seen, "limits": limits()}))
            """;

    [Fact]
    public async Task NextExecution_ForksAHundredProcesses_WhenTheLastOneWasAForkBombStillForkingAtItsTimeout()
    {
        // Arrange
        const string bomb = """
            import os, time
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.01)
            """;
        const string after = """
            import os, time
            children = []
            for _ in range(100):
                pid = os.fork()
                if pid == 0:
                    time.sleep(0.5)
                    os._exit(0)
                children.append(pid)
            codes = [os.waitpid(pid, 0)[1] for pid in children]
            print(len(children), "children,", sum(1 for c in codes if c == 0), "exited cleanly")
            """;

        // Act
        var bombed = await fixture.Client.ExecuteAsync(bomb, Ct, timeoutSeconds: 3);
        var next = await fixture.Client.ExecuteAsync(after, Ct);

        // Assert
        bombed.ExitCode.ShouldBe(-1, bombed.Stderr);
        next.ExitCode.ShouldBe(0, next.Stderr);
        next.Stdout.ShouldBe("100 children, 100 exited cleanly\n");
    }

    [Fact]
    public async Task NextExecution_GetsItsWholeMemory_WhenTheLastOneWasKilledAtTheMemoryLimit()
    {
        // Arrange
        const string bomb = """
            blocks = []
            while True:
                blocks.append(b"x" * (16 << 20))
            """;
        // 250 MiB touched of the 384 MiB the tests allow, with numpy, pandas and matplotlib already loaded.
        const string after = """
            block = bytearray(250 << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1
            print("touched", sum(block[::4096]), "pages")
            """;

        // Act
        var bombed = await fixture.Client.ExecuteAsync(bomb, Ct);
        var next = await fixture.Client.ExecuteAsync(after, Ct);

        // Assert
        bombed.ExitCode.ShouldBe(137, bombed.Stderr);
        next.ExitCode.ShouldBe(0, next.Stderr);
        next.Stdout.ShouldBe($"touched {(250 << 20) / 4096} pages\n");
    }

    private async Task<JsonElement> RunJsonAsync(string code)
    {
        var result = await fixture.Client.ExecuteAsync(code, Ct);
        result.ExitCode.ShouldBe(0, $"stdout: {result.Stdout}\nstderr: {result.Stderr}");
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }
}
