using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Interpreter.Api.Grpc.V1;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Grpc;

/// <summary>
/// The reference's gRPC service through a Grpc.Net.Client client over a real HTTP/2 port: the same pool, files and
/// validation as HTTP, the chat from the <c>chat-id</c> metadata key.
/// </summary>
public sealed class GrpcTests(GrpcFixture fixture) : IClassFixture<GrpcFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_ReturnsOutputAndStoresFilesForTheChat_WhenCalledOverGrpc()
    {
        var chat = "grpc-" + Guid.NewGuid().ToString("N")[..8];

        var response = await fixture.Client.ExecuteAsync(new ExecuteRequest
        {
            SourceCode = "import sys\nprint('hello from grpc')\nprint('warn', file=sys.stderr)\nopen('/workspace/out.txt', 'w').write('grpc bytes')",
        }, GrpcApi.As(chat, Ct));

        response.Stdout.ShouldBe("hello from grpc\n");
        response.Stderr.ShouldBe("warn\n");
        response.ExitCode.ShouldBe(0);
        response.Files.Keys.ShouldBe(["/workspace/out.txt"]);
        var hash = response.Files["/workspace/out.txt"];
        hash.ShouldBe(FileCalls.Sha256(Encoding.UTF8.GetBytes("grpc bytes")));
        var downloaded = await fixture.Api.Process.Client.DownloadBytesAsync(chat, hash, "out.txt", Ct);
        Encoding.UTF8.GetString(downloaded.ShouldNotBeNull()).ShouldBe("grpc bytes");
    }

    [Fact]
    public async Task Execute_ReadsTheChatsFiles_WhenFilesNameThem()
    {
        var chat = "grpc-" + Guid.NewGuid().ToString("N")[..8];
        var upload = await fixture.Api.Process.Client.UploadAsync(chat, "in.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"), Ct);
        var request = new ExecuteRequest { SourceCode = "import pandas as pd\nprint(pd.read_csv('/workspace/in.csv')['b'].sum())" };
        request.Files["/workspace/in.csv"] = upload.FileHash;

        var own = await fixture.Client.ExecuteAsync(request, GrpcApi.As(chat, Ct));
        var other = await Should.ThrowAsync<RpcException>(async () => await fixture.Client.ExecuteAsync(request, GrpcApi.As("someone-else", Ct)));

        own.Stdout.ShouldBe("2\n", own.Stderr);
        other.StatusCode.ShouldBe(StatusCode.NotFound);
        other.Status.Detail.ShouldContain(upload.FileHash);
    }

    [Fact]
    public async Task Execute_ReturnsTheCodesExitCodeAndTraceback_WhenTheCodeFails()
    {
        var response = await fixture.Client.ExecuteAsync(new ExecuteRequest { SourceCode = "raise SystemExit(3)" }, GrpcApi.As("grpc-exit", Ct));
        var failing = await fixture.Client.ExecuteAsync(new ExecuteRequest { SourceCode = "1/0" }, GrpcApi.As("grpc-exit", Ct));

        response.ExitCode.ShouldBe(3);
        failing.ExitCode.ShouldBe(1);
        failing.Stderr.ShouldContain("ZeroDivisionError");
    }

    public static TheoryData<string, string?, string, string> InvalidCalls => new()
    {
        { "", "chat", "", "source_code" },
        { "print(1)", null, "", "chat_id" },
        { "print(1)", "bad chat!", "", "chat_id" },
        { "print(1)", new string('c', 256), "", "chat_id" },
        { "print(1)", "chat", "Not_Valid", "executor_id" },
        { "print(1)", "chat", new string('a', 33), "executor_id" },
    };

    [Theory]
    [MemberData(nameof(InvalidCalls))]
    public async Task Execute_AnswersInvalidArgumentNamingTheField_WhenTheCallIsInvalid(string source, string? chat, string executorId, string field)
    {
        var call = fixture.Client.ExecuteAsync(new ExecuteRequest { SourceCode = source, ExecutorId = executorId }, GrpcApi.As(chat, Ct));

        var error = await Should.ThrowAsync<RpcException>(async () => await call);

        error.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        error.Status.Detail.ShouldContain(field);
    }

    [Fact]
    public async Task Execute_AnswersInvalidArgumentNamingTheField_WhenAFileEntryIsInvalid()
    {
        var request = new ExecuteRequest { SourceCode = "print(1)" };
        request.Files["/etc/passwd"] = new string('a', 64);
        request.Files["/workspace/x"] = "not-a-hash";

        var error = await Should.ThrowAsync<RpcException>(async () => await fixture.Client.ExecuteAsync(request, GrpcApi.As("chat", Ct)));

        error.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        error.Status.Detail.ShouldContain("files path '/etc/passwd'");
        error.Status.Detail.ShouldContain("files hash for '/workspace/x'");
    }

    [Fact]
    public async Task ParseCustomTool_ReturnsTheSchemaOrTheErrors_WhenTheSourceIsOrIsNotATool()
    {
        const string tool = "def add(a: int, b: int) -> int:\n    \"\"\"Adds two numbers.\n\n    :param a: first\n    :param b: second\n    \"\"\"\n    return a + b\n";

        var parsed = await fixture.Client.ParseCustomToolAsync(new ParseCustomToolRequest { ToolSourceCode = tool }, GrpcApi.As(null, Ct));
        var broken = await fixture.Client.ParseCustomToolAsync(new ParseCustomToolRequest { ToolSourceCode = "def f(*args):\n    pass\n" }, GrpcApi.As(null, Ct));
        var empty = await Should.ThrowAsync<RpcException>(async () =>
            await fixture.Client.ParseCustomToolAsync(new ParseCustomToolRequest(), GrpcApi.As(null, Ct)));

        parsed.ResponseCase.ShouldBe(ParseCustomToolResponse.ResponseOneofCase.Success);
        parsed.Success.ToolName.ShouldBe("add");
        parsed.Success.ToolDescription.ShouldStartWith("Adds two numbers.");
        using (var schema = JsonDocument.Parse(parsed.Success.ToolInputSchemaJson))
        {
            schema.RootElement.GetProperty("properties").GetProperty("a").GetProperty("type").GetString().ShouldBe("integer");
        }

        broken.ResponseCase.ShouldBe(ParseCustomToolResponse.ResponseOneofCase.Error);
        broken.Error.ErrorMessages.ShouldNotBeEmpty();
        empty.StatusCode.ShouldBe(StatusCode.InvalidArgument);
        empty.Status.Detail.ShouldContain("tool_source_code");
    }

    [Fact]
    public async Task ExecuteCustomTool_ReturnsTheValueOrTheError_WhenTheToolSucceedsFailsOrGetsBadInput()
    {
        const string tool = "def divide(a: int, b: int) -> float:\n    return a / b\n";

        var ok = await fixture.Client.ExecuteCustomToolAsync(
            new ExecuteCustomToolRequest { ToolSourceCode = tool, ToolInputJson = "{\"a\": 7, \"b\": 2}" }, GrpcApi.As(null, Ct));
        var raising = await fixture.Client.ExecuteCustomToolAsync(
            new ExecuteCustomToolRequest { ToolSourceCode = tool, ToolInputJson = "{\"a\": 7, \"b\": 0}" }, GrpcApi.As(null, Ct));
        var invalid = await fixture.Client.ExecuteCustomToolAsync(
            new ExecuteCustomToolRequest { ToolSourceCode = tool, ToolInputJson = "{\"a\": \"seven\", \"b\": 2}" }, GrpcApi.As(null, Ct));

        ok.ResponseCase.ShouldBe(ExecuteCustomToolResponse.ResponseOneofCase.Success);
        ok.Success.ToolOutputJson.ShouldBe("3.5");
        raising.ResponseCase.ShouldBe(ExecuteCustomToolResponse.ResponseOneofCase.Error);
        raising.Error.Stderr.ShouldContain("ZeroDivisionError");
        invalid.ResponseCase.ShouldBe(ExecuteCustomToolResponse.ResponseOneofCase.Error);
        invalid.Error.Stderr.ShouldContain("a");
    }

    [Fact]
    public async Task HttpApi_StillAnswersOnItsOwnPort_WhenGrpcIsEnabled()
    {
        using var response = await fixture.Api.Process.Client.GetAsync("/healthz", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
