using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Execute;

/// <summary>POST /v1/execute against real sandboxes.</summary>
[Collection(DockerCollection.Name)]
public sealed class ExecuteTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_ReturnsStdout_WhenCodePrints()
    {
        var result = await fixture.Client.ExecuteAsync("print('hello world')", Ct);

        result.Stdout.ShouldBe("hello world\n");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
        result.ChatId.ShouldBe("tests");
    }

    [Fact]
    public async Task Execute_SeesEnvironmentVariables_WhenEnvGiven()
    {
        var result = await fixture.Client.ExecuteAsync(
            "import os\nprint(os.environ['GREETING'], os.environ['OTHER'])", Ct,
            env: new Dictionary<string, string> { ["GREETING"] = "hi there", ["OTHER"] = "x=1" });

        result.Stdout.ShouldBe("hi there x=1\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_ReturnsExitCode_WhenCodeExitsNonZero()
    {
        var result = await fixture.Client.ExecuteAsync("import sys\nprint('before')\nsys.exit(3)", Ct);

        result.ExitCode.ShouldBe(3);
        result.Stdout.ShouldBe("before\n");
    }

    [Fact]
    public async Task Execute_ReturnsTracebackInStderr_WhenCodeRaises()
    {
        var result = await fixture.Client.ExecuteAsync("def f():\n    raise ValueError('boom')\nf()", Ct);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("Traceback (most recent call last)");
        result.Stderr.ShouldContain("ValueError: boom");
        result.Stderr.ShouldContain("raise ValueError('boom')");
    }

    [Fact]
    public async Task Execute_UsesPreloadedPandas_WhenCodeImportsIt()
    {
        var result = await fixture.Client.ExecuteAsync(
            "import pandas as pd\nprint(pd.DataFrame({'a': [1, 2]}).sum().to_dict())", Ct);

        result.Stdout.ShouldBe("{'a': 3}\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_ReturnsMinusOneAndRemovesSandbox_WhenTimeoutHit()
    {
        var result = await fixture.Client.ExecuteAsync(
            "import socket, time\nprint(socket.gethostname(), flush=True)\ntime.sleep(60)", Ct, timeoutSeconds: 2);

        result.ExitCode.ShouldBe(-1);
        result.Stderr.ShouldContain("timed out after 2 seconds");
        var containerId = result.Stdout.Trim();
        containerId.Length.ShouldBe(12);
        await Eventually.TrueAsync(async () => await fixture.Docker.InspectContainerAsync(containerId, Ct) is null,
            TimeSpan.FromSeconds(30), $"container {containerId} to be removed", Ct);
    }

    [Fact]
    public async Task Execute_Returns137WithMessage_WhenMemoryLimitExceeded()
    {
        var result = await fixture.Client.ExecuteAsync(
            "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))", Ct, timeoutSeconds: 30);

        result.ExitCode.ShouldBe(137);
        result.Stderr.ShouldContain("memory");
        var next = await fixture.Client.ExecuteAsync("print('still here')", Ct);
        next.Stdout.ShouldBe("still here\n");
    }

    [Fact]
    public async Task Execute_ContainsForkBomb_WhenCodeForksWithoutEnd()
    {
        const string code = """
            import os, time
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    children += 1
            except OSError as e:
                print("fork refused after", children, "children:", e.strerror)
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct, timeoutSeconds: 20);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("fork refused after");
        var children = int.Parse(result.Stdout.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        children.ShouldBeLessThan(128);
        var next = await fixture.Client.ExecuteAsync("print('alive')", Ct);
        next.Stdout.ShouldBe("alive\n");
    }

    [Fact]
    public async Task Execute_HasNoNetwork_WhenCodeConnects()
    {
        const string code = """
            import socket
            print(sorted(name for _, name in socket.if_nameindex()))
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=3)
                print("connected")
            except OSError as e:
                print("connect failed")
            try:
                socket.getaddrinfo("example.com", 80)
                print("resolved")
            except OSError:
                print("dns failed")
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct, timeoutSeconds: 20);

        result.Stdout.ShouldBe("['lo']\nconnect failed\ndns failed\n");
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

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.Stdout.ShouldBe(
            "/usr/evil.txt refused\n/etc/evil.txt refused\n/evil.txt refused\n/opt/agent/evil.txt refused\nworkspace ok True\n");
    }

    [Fact]
    public async Task Execute_AllSucceed_When20RequestsRunConcurrently()
    {
        var calls = Enumerable.Range(0, 20)
            .Select(i => fixture.Client.ExecuteAsync($"print({i} * 2)", Ct, timeoutSeconds: 60))
            .ToArray();

        var results = await Task.WhenAll(calls);

        for (var i = 0; i < results.Length; i++)
        {
            results[i].ExitCode.ShouldBe(0);
            results[i].Stdout.ShouldBe($"{i * 2}\n");
        }
    }

    [Fact]
    public async Task Execute_RunsEachRequestInAFreshSandbox_WhenCalledTwice()
    {
        var first = await fixture.Client.ExecuteAsync(
            "import socket\nopen('/workspace/marker', 'w').write('x')\nprint(socket.gethostname())", Ct);
        var second = await fixture.Client.ExecuteAsync(
            "import os, socket\nprint(socket.gethostname(), os.path.exists('/workspace/marker'))", Ct);

        second.Stdout.ShouldNotStartWith(first.Stdout.Trim());
        second.Stdout.Trim().ShouldEndWith("False");
    }
}
