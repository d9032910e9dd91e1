using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Image;

/// <summary>
/// Shell code in source_code, as the reference (xonsh) and BeeAI's PythonTool (language "shell", sent with no
/// language field) expect: a source that is not Python but plainly shell runs with bash, in the same sandbox,
/// with the same files, env, limits, timeout, working folder and output capture; Python still runs as Python,
/// and a source that is neither gets Python's SyntaxError.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ShellCodeTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_RunsItWithBash_WhenSourceIsShellCode()
    {
        var result = await fixture.Client.ExecuteAsync("echo hello && ls /workspace | wc -l && echo \"$0 in $(pwd)\"", Ct);

        result.Stdout.ShouldBe("hello\n0\n<code> in /workspace\n");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_ReturnsTheShellsExitCodeAndStderr_WhenACommandFails()
    {
        var result = await fixture.Client.ExecuteAsync("echo before && ls /no/such/folder && echo never", Ct);

        result.Stdout.ShouldBe("before\n");
        result.Stderr.ShouldContain("No such file or directory");
        result.ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task Execute_GivesShellCodeTheInputsEnvAndOutputs_WhenFilesAndEnvGiven()
    {
        var chat = "shell-" + Guid.NewGuid().ToString("N")[..8];
        var upload = await fixture.Client.UploadAsync(chat, "in.txt", "one\ntwo\nthree\n"u8.ToArray(), Ct);

        var result = await fixture.Client.ExecuteWithAsync(new
        {
            source_code = "wc -l < in.txt && tr a-z A-Z < /workspace/in.txt > out.txt && echo \"$GREETING\" && id -u",
            chat_id = chat,
            env = new Dictionary<string, string> { ["GREETING"] = "hi there" },
            files = new Dictionary<string, string> { ["/workspace/in.txt"] = upload.FileHash },
        }, Ct);

        var lines = result.Stdout.Split('\n');
        lines[0].ShouldBe("3");
        lines[1].ShouldBe("hi there");
        lines[2].ShouldNotBe("0");
        result.ExitCode.ShouldBe(0);
        result.Files.Keys.ShouldBe(["/workspace/out.txt"]);
        var output = await fixture.Client.DownloadBytesAsync(chat, result.Files["/workspace/out.txt"], "out.txt", Ct);
        Encoding.UTF8.GetString(output.ShouldNotBeNull()).ShouldBe("ONE\nTWO\nTHREE\n");
    }

    [Fact]
    public async Task Execute_KillsShellCodeAndItsChildren_WhenTimeoutHit()
    {
        var result = await fixture.Client.ExecuteAsync("echo started && sleep 60 & wait; echo never", Ct, timeoutSeconds: 2);

        result.ExitCode.ShouldBe(-1);
        result.Stdout.ShouldBe("started\n");
        result.Stderr.ShouldContain("timed out after 2 seconds");
    }

    [Fact]
    public async Task Execute_EndsAPipelineNormally_WhenAReaderStopsEarly()
    {
        // Python ignores SIGPIPE; the shell must get its default back, or `yes` would complain and never end.
        var result = await fixture.Client.ExecuteAsync("yes | head -n 2 && echo done", Ct, timeoutSeconds: 10);

        result.Stdout.ShouldBe("y\ny\ndone\n");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_RunsACommand_WhenItAlsoCompilesAsPythonButCannotRunAsPython()
    {
        // `ls -la /workspace` is valid Python (ls - la / workspace) that fails at once with a NameError.
        var result = await fixture.Client.ExecuteAsync("ls -la /workspace", Ct);

        result.Stdout.ShouldStartWith("total ");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_RunsPythonInsideShellCode_WhenAHereDocumentFeedsPython3()
    {
        const string code = """
            echo shell first
            python3 - <<'EOF'
            import pandas as pd
            print(pd.DataFrame({"a": [1, 2]}).sum().to_dict())
            EOF
            echo shell last
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.Stdout.ShouldBe("shell first\n{'a': 3}\nshell last\n");
        result.ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Execute_RunsShellCodeLongerThanAnArgument_WhenSourceIsOver128KiB()
    {
        // Linux takes at most 128 KiB as one argv string; a longer source reaches bash through a memfd.
        var code = "# " + new string('x', 200 * 1024) + "\necho long && echo \"$(( 6 * 7 ))\"\n";

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.Stdout.ShouldBe("long\n42\n");
        result.Stderr.ShouldBe("");
        result.ExitCode.ShouldBe(0);
    }

    [Theory]
    [InlineData("x = [1, 2", "'[' was never closed")]
    [InlineData("import numpy as np\nx = [1, 2", "'[' was never closed")]
    [InlineData("df = [1, 2", "'[' was never closed")]
    [InlineData("print 'hello'", "Missing parentheses in call to 'print'")]
    [InlineData("echo hello\nimport os\nprint(os.getcwd()", "SyntaxError: invalid syntax")]
    [InlineData("import os\necho $HOME && ls", "SyntaxError: invalid syntax")]
    public async Task Execute_ReturnsPythonsSyntaxError_WhenSourceIsNeitherPythonNorPlainShell(string code, string message)
    {
        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(1);
        result.Stdout.ShouldBe("");
        result.Stderr.ShouldContain("SyntaxError");
        result.Stderr.ShouldContain(message);
        result.Stderr.ShouldContain("File \"<code>\", line");
        result.Stderr.ShouldNotContain("command not found");
        result.Stderr.ShouldNotContain("bash");
    }

    [Fact]
    public async Task Execute_KeepsPythonsNameError_WhenTheUndefinedNameIsNoCommand()
    {
        var result = await fixture.Client.ExecuteAsync("no_such_name_xyz - 1", Ct);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("NameError: name 'no_such_name_xyz' is not defined");
    }

    [Fact]
    public async Task Execute_KeepsPythonSemantics_WhenPythonFailsAfterDoingSomething()
    {
        // Only a program that cannot have done anything yet is retried as shell: this one printed first.
        var result = await fixture.Client.ExecuteAsync("print('python ran')\nls", Ct);

        result.Stdout.ShouldBe("python ran\n");
        result.Stderr.ShouldContain("NameError: name 'ls' is not defined");
        result.ExitCode.ShouldBe(1);
    }
}
