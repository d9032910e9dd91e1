using Docker.DotNet.Models;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Code a language model might write, on purpose or not, against the real API and real sandboxes. Each run must
/// end with a precise result, and afterwards the service must be whole: the next request succeeds, the sandbox
/// used is removed, and the pool is at rest again: only running, ready sandboxes of its own, none in use, none
/// leaked, no more than before.
/// Also covered elsewhere: the plain memory bomb, the fork bomb that stops at the first refused fork, the
/// interfaces of the network namespace and writes to /usr, /etc and / (Execute/ExecuteTests).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class HostileCodeTests(DockerFixture fixture)
{
    private const int PoolTarget = 3;
    private const int OutputCap = 1048576;

    // The first line of every hostile run names its sandbox (the container's hostname is its short id).
    private const string NameTheSandbox =
        "import socket as _hostile_socket\nprint(_hostile_socket.gethostname(), flush=True)\ndel _hostile_socket\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_EndsAtThePidsLimit_WhenEveryProcessForksForever()
    {
        const string code = """
            import os, time
            def bomb():
                while True:
                    try:
                        os.fork()
                    except OSError:
                        time.sleep(0.01)
            for _ in range(4):
                try:
                    if os.fork() == 0:
                        bomb()
                except OSError:
                    pass  # the first bombers may already have filled the sandbox
            # Fork too until the kernel refuses: the sandbox is then at its pids limit.
            while True:
                try:
                    pid = os.fork()
                except OSError as e:
                    print("fork refused:", e.strerror, flush=True)
                    break
                if pid == 0:
                    os._exit(0)
                os.waitpid(pid, 0)
            folder = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/pids.max") else "/sys/fs/cgroup/pids"
            limit = open(folder + "/pids.max").read().strip()
            current = open(folder + "/pids.current").read().strip()
            print("limit", limit, "current", current, flush=True)
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        // APP_EXECUTOR_PIDS_LIMIT is 128 in these tests.
        run.Output.ShouldBe("fork refused: Resource temporarily unavailable\nlimit 128 current 128\n");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_Returns137NamingTheLimit_WhenMemoryIsExhausted()
    {
        const string code = """
            print("allocating", flush=True)
            blocks = []
            while True:
                blocks.append(b"x" * (16 << 20))
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(137);
        run.Output.ShouldBe("allocating\n");
        run.Result.Stderr.ShouldBe("Killed: the code used more memory than the sandbox limit (384 MiB).\n");
        run.Result.Files.ShouldBeEmpty();
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReportsNoSpaceLeft_WhenCodeWritesBeyondTheWorkspaceLimit()
    {
        const string code = """
            import errno, os
            def fill(path):
                block = b"\1" * (1 << 20)
                written = 0
                fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
                try:
                    while True:
                        written += os.write(fd, block)
                except OSError as e:
                    return f"{errno.errorcode[e.errno]} {e.strerror} after {written >> 20} MiB"
                finally:
                    os.close(fd)
            print("workspace:", fill("/workspace/filler.bin"))
            print("shm:", fill("/dev/shm/filler.bin"))
            try:
                open("/run/agent/filler.bin", "wb")
                print("agent folder: writable")
            except OSError as e:
                print("agent folder:", errno.errorcode[e.errno])
            os.truncate("/workspace/filler.bin", 1 << 20)
            with open("/workspace/after.txt", "w") as f:
                f.write("room again")
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        var lines = run.Output.Split('\n');
        // APP_WORKSPACE_SIZE_LIMIT is 64Mi in these tests; /dev/shm is Docker's 64 MiB default.
        lines[0].ShouldMatch(@"^workspace: ENOSPC No space left on device after (6[0-4]|5[6-9]) MiB$");
        lines[1].ShouldMatch(@"^shm: ENOSPC No space left on device after (6[0-4]|5[6-9]) MiB$");
        // The agent's socket folder is a host folder no size limit covers: closed to the code.
        lines[2].ShouldBe("agent folder: EACCES");
        run.Result.Files.Keys.Order().ShouldBe(["/workspace/after.txt", "/workspace/filler.bin"]);
        run.Result.Files["/workspace/filler.bin"].ShouldBe(FileCalls.Sha256(Enumerable.Repeat((byte)1, 1 << 20).ToArray()));
        run.Result.Files["/workspace/after.txt"].ShouldBe(FileCalls.Sha256("room again"u8.ToArray()));
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_Returns137NamingTheLimit_WhenCodeFillsEveryTmpfsBeyondTheMemoryLimit()
    {
        // /tmp (256Mi), /workspace (64Mi) and /dev/shm (64Mi) are tmpfs: their pages count against the sandbox's
        // 384Mi memory, so filling them all runs into the memory limit before any of them is full.
        const string code = """
            import os
            block = b"\1" * (1 << 20)
            print("filling", flush=True)
            for path in ("/tmp/filler.bin", "/workspace/filler.bin", "/dev/shm/filler.bin"):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
                try:
                    while True:
                        os.write(fd, block)
                except OSError as e:
                    print(path, e.strerror, flush=True)
                finally:
                    os.close(fd)
            print("all full")
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(137, run.Result.Stderr);
        run.Output.ShouldStartWith("filling\n");
        run.Output.ShouldNotContain("all full");
        // The code, not the agent, is the OOM killer's pick: the agent survives to answer and collect.
        run.Result.Stderr.ShouldBe("Killed: the code used more memory than the sandbox limit (384 MiB).\n");
        run.Result.Files.Keys.ShouldBeSubsetOf(["/workspace/filler.bin"]);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReturnsMinusOneAtTheTimeout_WhenCodeLoopsForeverIgnoringSignals()
    {
        const string code = """
            import signal
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
                signal.signal(s, signal.SIG_IGN)
            print("spinning", flush=True)
            while True:
                try:
                    pass
                except BaseException:
                    pass
            """;

        var run = await RunAsync(code, timeoutSeconds: 3);

        run.Result.ExitCode.ShouldBe(-1);
        run.Output.ShouldBe("spinning\n");
        run.Result.Stderr.ShouldBe("Execution timed out after 3 seconds.\n");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_CapsAndMarksOutput_WhenCodeWrites100MiBToStdoutAndStderr()
    {
        const string code = """
            import sys
            block = b"x" * (1 << 20)
            for _ in range(100):
                sys.stdout.buffer.write(block)
            sys.stdout.flush()
            block = b"e" * (1 << 20)
            for _ in range(100):
                sys.stderr.buffer.write(block)
            sys.stderr.flush()
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        var firstLine = run.ContainerId!.Length + 1;
        var kept = OutputCap - firstLine;
        run.Output.ShouldBe(new string('x', kept)
            + $"\n[output truncated: {(100 << 20) - kept} bytes over the {OutputCap}-byte limit were dropped]\n");
        run.Result.Stderr.ShouldBe(new string('e', OutputCap)
            + $"\n[output truncated: {(100 << 20) - OutputCap} bytes over the {OutputCap}-byte limit were dropped]\n");
        // What reaches the client is the capped output, not the 200 MiB the code wrote.
        run.BodyBytes.ShouldBeLessThan(3 * OutputCap);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReturnsValidTextWithReplacementCharacters_WhenCodeWritesBinaryGarbage()
    {
        const string code = """
            import os, sys
            sys.stdout.buffer.write(b"ok\xff\xfe\x00\x80\xc3(\x1b[31mend\n")
            sys.stdout.buffer.write(os.urandom(256 * 1024))
            sys.stdout.flush()
            sys.stderr.buffer.write(b"\xed\xa0\x80 is an encoded surrogate\n")
            sys.stderr.flush()
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldStartWith("ok\uFFFD\uFFFD\u0000\uFFFD\uFFFD(\u001b[31mend\n");
        // 256 KiB of random bytes, decoded with replacement characters, are all there (under the cap).
        run.Output.Length.ShouldBeGreaterThan(200 * 1024);
        // Proper surrogate pairs (valid 4-byte sequences) may occur; lone surrogates must not.
        Should.NotThrow(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(run.Output));
        run.Result.Stderr.ShouldBe("\uFFFD\uFFFD\uFFFD is an encoded surrogate\n");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_WaitsForTheProcessAndKeepsItsExitCode_WhenCodeClosesStdoutAndStderr()
    {
        const string code = """
            import os, sys, time
            print("before closing", flush=True)
            print("stderr before closing", file=sys.stderr, flush=True)
            os.close(1)
            os.close(2)
            time.sleep(1)
            with open("/workspace/after.txt", "w") as f:
                f.write("written after closing both")
            sys.exit(3)
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(3);
        run.Output.ShouldBe("before closing\n");
        run.Result.Stderr.ShouldBe("stderr before closing\n");
        run.Result.Files.Keys.ShouldBe(["/workspace/after.txt"]);
        run.Result.Files["/workspace/after.txt"].ShouldBe(FileCalls.Sha256("written after closing both"u8.ToArray()));
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_RunsOnUnharmed_WhenCodeSignalsTheAgentAndItsParent()
    {
        // The agent is the sandbox's PID 1 and the code's parent: the kernel drops what init has no handler for
        // (SIGKILL, SIGSTOP), and the agent ignores SIGTERM and SIGINT once user code runs.
        const string code = """
            import os, signal, subprocess, time
            print("parent is", os.getppid(), flush=True)
            os.kill(1, signal.SIGKILL)
            os.kill(os.getppid(), signal.SIGKILL)
            subprocess.run(["sh", "-c", "kill -9 1; kill -TERM 1; kill -INT 1; kill -STOP 1"], check=True)
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGSTOP):
                os.kill(1, s)
            time.sleep(0.5)
            with open("/workspace/survivor.txt", "w") as f:
                f.write("the agent is still there")
            print("still running", flush=True)
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("parent is 1\nstill running\n");
        run.Result.Stderr.ShouldBe("");
        run.Result.Files.Keys.ShouldBe(["/workspace/survivor.txt"]);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_Returns137SayingTheSandboxDied_WhenCodeKillsTheAgent()
    {
        // The code runs under the agent's uid, so it may lower the agent's CPU limit: the kernel then SIGKILLs the
        // agent, PID 1, and the whole sandbox with it, while the agent reads the output.
        const string code = """
            import resource
            resource.prlimit(1, resource.RLIMIT_CPU, (1, 1))
            with open("/workspace/lost.txt", "w") as f:
                f.write("never collected")
            while True:
                print("x" * 100)
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(137);
        run.Result.Stdout.ShouldBe("");
        run.Result.Stderr.ShouldBe(
            "Killed: the sandbox died during the execution (the sandbox stopped with status 137); the run's output and files are lost.\n");
        run.Result.Files.ShouldBeEmpty();
        run.ContainerId.ShouldBeNull();
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_RestoresTheAgentsLimits_WhenCodeLowersOnlyTheirSoftValues()
    {
        const string code = """
            import resource
            hard = resource.prlimit(1, resource.RLIMIT_NOFILE)[1]
            resource.prlimit(1, resource.RLIMIT_NOFILE, (1, hard))
            with open("/workspace/kept.txt", "w") as f:
                f.write("listed anyway")
            print("lowered")
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("lowered\n");
        run.Result.Stderr.ShouldBe("");
        run.Result.Files.Keys.ShouldBe(["/workspace/kept.txt"]);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_SaysTheFilesMayBeIncomplete_WhenCodeLowersTheAgentsHardFileLimit()
    {
        // A lowered hard limit cannot be raised again without privileges: the agent can no longer open the
        // workspace to list what changed, and says so instead of answering as if nothing had.
        const string code = """
            import resource
            with open("/workspace/unlisted.txt", "w") as f:
                f.write("the agent cannot open the workspace any more")
            resource.prlimit(1, resource.RLIMIT_NOFILE, (1, 1))
            print("lowered")
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("lowered\n");
        run.Result.Stderr.ShouldBe("The code lowered the sandbox agent's own limits (RLIMIT_NOFILE); the changed files reported may be incomplete.\n");
        run.Result.Files.ShouldBeEmpty();
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_EndsWhenTheMainProcessExits_WhenAGrandchildOutlivesItHoldingTheOutputPipes()
    {
        // The grandchild escapes the process group (setsid), keeps stdout and stderr open, and would print and
        // os._exit(7) five seconds later: the run must end with the main process, not with the pipes.
        const string code = """
            import os, time
            r, w = os.pipe()
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    print("grandchild started", flush=True)
                    os.write(w, b"1")
                    time.sleep(5)
                    print("grandchild late", flush=True)
                    os._exit(7)
                os._exit(0)
            os.wait()
            os.read(r, 1)
            print("main done", flush=True)
            """;

        var run = await RunAsync(code, timeoutSeconds: 30);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("grandchild started\nmain done\n");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_EndsAndKillsThem_WhenCodeLeavesSleepingBackgroundProcesses()
    {
        const string code = """
            import subprocess, threading, time
            subprocess.Popen(["sleep", "300"])
            subprocess.Popen(["sh", "-c", "sleep 2; echo late background output"], start_new_session=True)
            subprocess.Popen(["sh", "-c", "nohup sleep 300 > /dev/null 2>&1 &"]).wait()
            threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
            print("background started", flush=True)
            """;

        var run = await RunAsync(code, timeoutSeconds: 30);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("background started\n");
        run.Result.Stderr.ShouldBe("");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_FailsEveryConnectionAndLookup_WhenCodeTriesTheNetwork()
    {
        var apiPort = fixture.Client.BaseAddress!.Port;
        var code = $$"""
            import errno, os, socket
            def attempt(what, action):
                try:
                    action()
                    print(what, "succeeded")
                except socket.gaierror:
                    print(what, "failed: no name resolution")
                except OSError as e:
                    print(what, "failed:", errno.errorcode.get(e.errno, str(e.errno)))
            def udp():
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.sendto(b"x", ("172.17.0.1", 53))
            # Only this machine's own addresses are tried; with no interface but loopback, every other address is
            # unreachable the same way, without a packet leaving.
            print("interfaces:", [name for _, name in socket.if_nameindex()])
            attempt("tcp to the docker host", lambda: socket.create_connection(("172.17.0.1", {{apiPort}}), timeout=3))
            attempt("tcp to the api port on loopback", lambda: socket.create_connection(("127.0.0.1", {{apiPort}}), timeout=3))
            attempt("dns lookup", lambda: socket.getaddrinfo("example.com", 80))
            attempt("udp to a resolver", udp)
            print("docker socket visible:", os.path.exists("/var/run/docker.sock"))
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("""
            interfaces: ['lo']
            tcp to the docker host failed: ENETUNREACH
            tcp to the api port on loopback failed: ECONNREFUSED
            dns lookup failed: no name resolution
            udp to a resolver failed: ENETUNREACH
            docker socket visible: False

            """);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_SeesNothingOfTheHost_WhenCodeReadsProcessEnvironmentsAndHostFiles()
    {
        var marker = "hostile-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("HOSTILE_HOST_MARKER", marker);
        var hostTmpFile = Path.Combine(Path.GetTempPath(), marker + ".txt");
        var storageFile = Path.Combine(fixture.Api.StoragePath, marker + ".txt");
        await File.WriteAllTextAsync(hostTmpFile, marker, Ct);
        await File.WriteAllTextAsync(storageFile, marker, Ct);
        var hostName = (await File.ReadAllTextAsync("/etc/hostname", Ct)).Trim();
        try
        {
            var code = $$"""
                import os, socket
                needles = [b"{{marker}}", b"HOSTILE_HOST_MARKER", b"COMPUTESANDBOX_", b"APP_"]
                pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
                leaks = []
                for pid in pids:
                    for name in ("environ", "cmdline"):
                        try:
                            data = open(f"/proc/{pid}/{name}", "rb").read()
                        except OSError:
                            continue
                        leaks += [f"{pid}/{name}" for n in needles if n in data]
                print("leaks:", leaks)
                print("own environment has PATH:", b"PATH=" in open("/proc/self/environ", "rb").read())
                try:
                    open("/proc/1/environ", "rb").read()
                    print("agent environment: readable")
                except PermissionError:
                    print("agent environment: unreadable")
                print("pid 1 is the agent:", open("/proc/1/cmdline", "rb").read().split(b"\0")[1] == b"/opt/agent/agent.py")
                print("at most 3 processes:", len(pids) <= 3)
                print("host name seen:", open("/etc/hostname").read().strip() == "{{hostName}}" or socket.gethostname() == "{{hostName}}")
                for path in ("{{hostTmpFile}}", "{{storageFile}}", "{{fixture.Api.StoragePath}}"):
                    print("host path visible:", os.path.exists(path))
                """;

            var run = await RunAsync(code);

            run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
            run.Output.ShouldBe("""
                leaks: []
                own environment has PATH: True
                agent environment: unreadable
                pid 1 is the agent: True
                at most 3 processes: True
                host name seen: False
                host path visible: False
                host path visible: False
                host path visible: False

                """);
            await ShouldRecoverAsync(run);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HOSTILE_HOST_MARKER", null);
            File.Delete(hostTmpFile);
            File.Delete(storageFile);
        }
    }

    [Fact]
    public async Task Execute_RefusesEveryWriteOutsideTheWorkspace_WhenCodeTargetsRootUsrAndTheAgent()
    {
        const string code = """
            import errno, os
            def attempt(what, action):
                try:
                    action()
                    print(what, "allowed")
                except OSError as e:
                    print(what, errno.errorcode[e.errno])
            attempt("create /evil", lambda: open("/evil", "w"))
            attempt("mkdir /usr/evil", lambda: os.mkdir("/usr/evil"))
            attempt("append to /usr/bin/python3", lambda: open("/usr/bin/python3", "ab"))
            attempt("symlink in /usr/lib", lambda: os.symlink("/workspace", "/usr/lib/evil"))
            attempt("chmod /usr/bin", lambda: os.chmod("/usr/bin", 0o777))
            attempt("append to the agent", lambda: open("/opt/agent/agent.py", "a"))
            attempt("create in the agent's socket folder", lambda: open("/run/agent/evil", "w"))
            attempt("replace the agent's socket", lambda: os.rename("/run/agent/agent.sock", "/run/agent/moved"))
            attempt("write the workspace", lambda: open("/workspace/ok.txt", "w").write("fine"))
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("""
            create /evil EROFS
            mkdir /usr/evil EROFS
            append to /usr/bin/python3 EACCES
            symlink in /usr/lib EROFS
            chmod /usr/bin EROFS
            append to the agent EACCES
            create in the agent's socket folder EACCES
            replace the agent's socket EACCES
            write the workspace allowed

            """);
        run.Result.Files.Keys.ShouldBe(["/workspace/ok.txt"]);
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReturnsOnlyRegularFilesInside_WhenWorkspaceHoldsSymlinksOutOfIt()
    {
        const string code = """
            import errno, os
            os.symlink("/etc/passwd", "/workspace/passwd")
            os.symlink("/etc", "/workspace/etc_dir")
            os.symlink("/proc/self/environ", "/workspace/environ")
            os.symlink("/run/agent/agent.sock", "/workspace/agent.sock")
            os.makedirs("/workspace/real")
            with open("/workspace/real/inside.txt", "w") as f:
                f.write("inside")
            os.symlink("/workspace/real", "/workspace/real_link")
            os.symlink("/etc/hostname", "/workspace/real/hostname")
            os.symlink("loop", "/workspace/loop")
            os.mkfifo("/workspace/fifo")
            try:
                os.link("/etc/passwd", "/workspace/hard_passwd")
                print("hard link made")
            except OSError as e:
                print("hard link", errno.errorcode[e.errno])
            print(open("/workspace/passwd").read().startswith("root:"))
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        // The links work inside the sandbox, yet only the one regular file is collected.
        run.Output.ShouldBe("hard link EXDEV\nTrue\n");
        run.Result.Files.Keys.ShouldBe(["/workspace/real/inside.txt"]);
        run.Result.Files["/workspace/real/inside.txt"].ShouldBe(FileCalls.Sha256("inside"u8.ToArray()));
        (await fixture.Client.DownloadBytesAsync("tests", run.Result.Files["/workspace/real/inside.txt"], "inside.txt", Ct))
            .ShouldBe("inside"u8.ToArray());
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_StillReturnsTheFiles_WhenCodeTakesItsOwnPermissionsAway()
    {
        const string code = """
            import os
            os.makedirs("/workspace/locked/deeper")
            with open("/workspace/locked/deeper/a.txt", "w") as f:
                f.write("in a folder nobody may enter")
            with open("/workspace/unreadable.txt", "w") as f:
                f.write("nobody may read this")
            os.chmod("/workspace/unreadable.txt", 0)
            os.chmod("/workspace/locked/deeper", 0)
            os.chmod("/workspace/locked", 0o100)
            os.chmod("/workspace", 0)
            print(os.access("/workspace", os.R_OK))
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("False\n");
        run.Result.Stderr.ShouldBe("");
        run.Result.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(["/workspace/locked/deeper/a.txt", "/workspace/unreadable.txt"]);
        run.Result.Files["/workspace/unreadable.txt"].ShouldBe(FileCalls.Sha256("nobody may read this"u8.ToArray()));
        run.Result.Files["/workspace/locked/deeper/a.txt"].ShouldBe(FileCalls.Sha256("in a folder nobody may enter"u8.ToArray()));
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReturnsOddNamesExactlyAndSaysWhatItSkipped_WhenFileNamesHoldNewlinesOrNonUtf8Bytes()
    {
        string[] names =
        [
            "new\nline.txt", "tab\there.txt", "quote\"and\\back.txt", "percent%2Fslash.txt", "?query#frag&.txt",
            " leading space.txt", "-dash.txt", "ünïcødé.txt", "ctrl\u0001\u007f.txt", new string('x', 251) + ".txt",
        ];
        var code = $$"""
            import json, os
            for name in json.loads({{JsonSerializer.Serialize(JsonSerializer.Serialize(names))}}):
                with open("/workspace/" + name, "w") as f:
                    f.write(name)
            with open(b"/workspace/bad\xff\xfe.bin", "wb") as f:
                f.write(b"a name that is not UTF-8")
            os.mkdir(b"/workspace/dir\xff")
            with open(b"/workspace/dir\xff/inner.txt", "wb") as f:
                f.write(b"under a folder that is not UTF-8")
            print("written")
            """;

        var run = await RunAsync(code);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("written\n");
        run.Result.Stderr.ShouldBe("2 changed files whose name is not valid UTF-8 were not returned.\n");
        run.Result.Files.Keys.Order(StringComparer.Ordinal).ShouldBe(names.Select(n => "/workspace/" + n).Order(StringComparer.Ordinal));
        foreach (var name in names)
        {
            run.Result.Files["/workspace/" + name].ShouldBe(FileCalls.Sha256(Encoding.UTF8.GetBytes(name)));
        }

        var newline = run.Result.Files["/workspace/new\nline.txt"];
        using var download = await fixture.Client.DownloadAsync("tests", newline, "new\nline.txt", Ct);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("new\nline.txt");
        (await download.Content.ReadAsStringAsync(Ct)).ShouldBe("new\nline.txt");
        await ShouldRecoverAsync(run);
    }

    [Fact]
    public async Task Execute_ReturnsTheFirstThousandAndSaysSo_WhenCodeCreatesTenThousandFiles()
    {
        const string code = """
            import os
            os.mkdir("/workspace/many")
            for i in range(10000):
                with open(f"/workspace/many/f{i:05}.txt", "w") as f:
                    f.write(str(i))
            print("written", len(os.listdir("/workspace/many")))
            """;

        var run = await RunAsync(code, timeoutSeconds: 60);

        run.Result.ExitCode.ShouldBe(0, run.Result.Stderr);
        run.Output.ShouldBe("written 10000\n");
        run.Result.Stderr.ShouldBe("Only the first 1000 changed files (sorted by path) were returned; the others were left out.\n");
        run.Result.Files.Keys.Order(StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(0, 1000).Select(i => $"/workspace/many/f{i:00000}.txt"));
        run.Result.Files["/workspace/many/f00999.txt"].ShouldBe(FileCalls.Sha256("999"u8.ToArray()));
        run.Result.FilesMetadata.Count.ShouldBe(1000);
        await ShouldRecoverAsync(run);
    }

    /// <summary>
    /// Waits for the pool to be at rest, then runs <paramref name="code"/> after a line that prints the sandbox's name.
    /// </summary>
    private async Task<HostileRun> RunAsync(string code, int timeoutSeconds = 30)
    {
        var readyBefore = await SteadyPoolAsync();
        using var response = await fixture.Client.PostAsJsonAsync("/v1/execute",
            new { source_code = NameTheSandbox + code, chat_id = "tests", timeout_seconds = timeoutSeconds }, ExecuteCalls.Json, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body.Length > 2000 ? body[..2000] : body);
        var result = JsonSerializer.Deserialize<ExecuteResponse>(body, ExecuteCalls.Json)!;
        var newline = result.Stdout.IndexOf('\n', StringComparison.Ordinal);
        var bodyBytes = Encoding.UTF8.GetByteCount(body);
        return newline == 12
            ? new HostileRun(result, result.Stdout[..newline], result.Stdout[(newline + 1)..], bodyBytes, readyBefore)
            : new HostileRun(result, null, result.Stdout, bodyBytes, readyBefore);
    }

    /// <summary>
    /// Waits until the pool is at rest and holds at least the target of ready sandboxes (a burst of earlier tests may
    /// have left more); returns their ids.
    /// </summary>
    private async Task<HashSet<string>> SteadyPoolAsync()
    {
        var containers = await AtRestAsync((pool, _) => pool.Ready >= PoolTarget,
            $"the pool to be at rest with at least {PoolTarget} ready sandboxes", note: "");
        return containers.Select(c => c.ID).ToHashSet();
    }

    /// <summary>
    /// The service is whole again: a normal execution succeeds in another sandbox, the hostile run's sandbox (and
    /// that one) are removed, and the pool is at rest again, with as many sandboxes as the target (or as before,
    /// when more were left), not more.
    /// </summary>
    private async Task ShouldRecoverAsync(HostileRun run)
    {
        var next = await fixture.Client.ExecuteAsync("import socket\nprint('healthy', socket.gethostname())", Ct);

        next.ExitCode.ShouldBe(0);
        next.Stderr.ShouldBe("");
        next.Stdout.ShouldStartWith("healthy ");
        var nextContainer = next.Stdout["healthy ".Length..].Trim();
        nextContainer.ShouldNotBe(run.ContainerId);
        var before = run.ReadyBefore;
        await AtRestAsync((pool, containers) =>
                containers.All(c => !c.ID.StartsWith(nextContainer, StringComparison.Ordinal))
                && (run.ContainerId is null || containers.All(c => !c.ID.StartsWith(run.ContainerId, StringComparison.Ordinal)))
                // Both runs took a sandbox that was ready before; neither is still there, dead or alive.
                && before.Count(id => containers.All(c => c.ID != id)) >= 2
                && pool.Live >= PoolTarget && pool.Live <= Math.Max(PoolTarget, before.Count),
            "the used sandboxes to be removed and the pool to be at rest",
            $"; used {run.ContainerId ?? "unknown"} and {nextContainer}, ready before: {string.Join(",", before.Select(id => id[..12]))}");
    }

    /// <summary>
    /// Waits until the pool is at rest (nothing starting or in use, every container of the instance a running, ready
    /// sandbox of the pool) and <paramref name="also"/> holds; returns the containers. A timeout names what was seen
    /// last, followed by <paramref name="note"/>.
    /// </summary>
    private async Task<IReadOnlyList<ContainerListResponse>> AtRestAsync(
        Func<PoolSnapshot, IReadOnlyList<ContainerListResponse>, bool> also, string what, string note)
    {
        IReadOnlyList<ContainerListResponse> containers = [];
        var seen = "";
        try
        {
            await Eventually.TrueAsync(async () =>
                {
                    containers = await fixture.Api.ContainersAsync(fixture.Docker, Ct);
                    var pool = fixture.Api.Pool.Snapshot;
                    seen = $"{pool}; containers: {string.Join(", ", containers.Select(c => $"{c.ID[..12]} {c.State}"))}";
                    return pool is { Starting: 0, InUse: 0 } && pool.Ready == pool.Live
                        && containers.Count == pool.Live && containers.All(c => c.State == "running")
                        && also(pool, containers);
                },
                TimeSpan.FromSeconds(120), what, Ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {seen}{note}", e);
        }

        return containers;
    }
}
