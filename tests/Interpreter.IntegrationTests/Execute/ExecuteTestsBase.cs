using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Execute;

/// <summary>
/// POST /v1/execute against real sandboxes, whatever the backend: each subclass runs these against its own
/// (Docker engine, Kubernetes cluster) and adds what only holds there.
/// </summary>
public abstract class ExecuteTestsBase
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client of the API running on this backend.</summary>
    protected abstract HttpClient Client { get; }

    /// <summary>True while the sandbox whose hostname is <paramref name="hostname"/> still exists on the backend.</summary>
    protected abstract Task<bool> SandboxExistsAsync(string hostname, CancellationToken ct);

    [Fact]
    public async Task Execute_ReturnsStdout_WhenCodePrints()
    {
        var result = await Client.ExecuteAsync("print('hello world')", Ct);

        result.Stdout.ShouldBe("hello world\n");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
        result.ChatId.ShouldBe("tests");
    }

    [Fact]
    public async Task Execute_SeesEnvironmentVariables_WhenEnvGiven()
    {
        var result = await Client.ExecuteAsync(
            "import os\nprint(os.environ['GREETING'], os.environ['OTHER'])", Ct,
            env: new Dictionary<string, string> { ["GREETING"] = "hi there", ["OTHER"] = "x=1" });

        result.Stdout.ShouldBe("hi there x=1\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_ReturnsExitCode_WhenCodeExitsNonZero()
    {
        var result = await Client.ExecuteAsync("import sys\nprint('before')\nsys.exit(3)", Ct);

        result.ExitCode.ShouldBe(3);
        result.Stdout.ShouldBe("before\n");
    }

    [Fact]
    public async Task Execute_ReturnsTracebackInStderr_WhenCodeRaises()
    {
        var result = await Client.ExecuteAsync("def f():\n    raise ValueError('boom')\nf()", Ct);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("Traceback (most recent call last)");
        result.Stderr.ShouldContain("ValueError: boom");
        result.Stderr.ShouldContain("raise ValueError('boom')");
    }

    [Fact]
    public async Task Execute_UsesPreloadedPandas_WhenCodeImportsIt()
    {
        var result = await Client.ExecuteAsync(
            "import pandas as pd\nprint(pd.DataFrame({'a': [1, 2]}).sum().to_dict())", Ct);

        result.Stdout.ShouldBe("{'a': 3}\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_ReturnsMinusOneAndRemovesSandbox_WhenTimeoutHit()
    {
        var result = await Client.ExecuteAsync(
            "import socket, time\nprint(socket.gethostname(), flush=True)\ntime.sleep(60)", Ct, timeoutSeconds: 2);

        result.ExitCode.ShouldBe(-1);
        result.Stderr.ShouldContain("timed out after 2 seconds");
        var hostname = result.Stdout.Trim();
        hostname.ShouldNotBeEmpty();
        await Eventually.TrueAsync(async () => !await SandboxExistsAsync(hostname, Ct),
            TimeSpan.FromSeconds(30), $"sandbox {hostname} to be removed", Ct);
    }

    [Fact]
    public async Task Execute_Returns137WithMessage_WhenMemoryLimitExceeded()
    {
        var result = await Client.ExecuteAsync(
            "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))", Ct, timeoutSeconds: 30);

        result.ExitCode.ShouldBe(137);
        result.Stderr.ShouldContain("memory");
        var next = await Client.ExecuteAsync("print('still here')", Ct);
        next.Stdout.ShouldBe("still here\n");
    }

    [Fact]
    public async Task Execute_RefusesWrites_WhenOutsideWorkspace()
    {
        const string code = """
            import os
            for path in ["/usr/evil.txt", "/etc/evil.txt", "/evil.txt", "/opt/agent/evil.txt"]:
                try:
                    with open(path, "w") as f:
                        f.write("x")
                    print(path, "written")
                except OSError as e:
                    print(path, "refused")
            with open("/workspace/ok.txt", "w") as f:
                f.write("fine")
            print("workspace ok", os.getuid() != 0)
            """;

        var result = await Client.ExecuteAsync(code, Ct);

        result.Stdout.ShouldBe(
            "/usr/evil.txt refused\n/etc/evil.txt refused\n/evil.txt refused\n/opt/agent/evil.txt refused\nworkspace ok True\n");
    }

    [Fact]
    public async Task Execute_RunsEachRequestInAFreshSandbox_WhenCalledTwice()
    {
        var first = await Client.ExecuteAsync(
            "import socket\nopen('/workspace/marker', 'w').write('x')\nprint(socket.gethostname())", Ct);
        var second = await Client.ExecuteAsync(
            "import os, socket\nprint(socket.gethostname(), os.path.exists('/workspace/marker'))", Ct);

        second.Stdout.ShouldNotStartWith(first.Stdout.Trim());
        second.Stdout.Trim().ShouldEndWith("False");
    }

    [Fact]
    public async Task Execute_ReadsInputFilesAndReturnsOutputs_WhenFilesGiven()
    {
        var chat = "files-" + Guid.NewGuid().ToString("N")[..8];
        var upload = await Client.UploadAsync(chat, "in.txt", "21"u8.ToArray(), Ct);

        var result = await Client.ExecuteWithAsync(new
        {
            source_code = "n = int(open('/workspace/in.txt').read())\nopen('/workspace/out.txt', 'w').write(str(n * 2))\nprint(n)",
            chat_id = chat,
            files = new Dictionary<string, string> { ["/workspace/in.txt"] = upload.FileHash },
        }, Ct);

        result.Stdout.ShouldBe("21\n");
        result.Files.Keys.ShouldBe(["/workspace/out.txt"]);
        var output = await Client.DownloadBytesAsync(chat, result.Files["/workspace/out.txt"], "out.txt", Ct);
        output.ShouldNotBeNull().ShouldBe("42"u8.ToArray());
    }
}
