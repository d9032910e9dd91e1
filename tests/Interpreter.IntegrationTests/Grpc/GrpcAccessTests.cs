using Grpc.Core;
using Interpreter.Api.Grpc.V1;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Grpc;

/// <summary>The spawn guard, the default chat and an exhausted pool, as a gRPC client sees them.</summary>
public sealed class GrpcAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_AreRefusedWithPermissionDenied_WhenTheClientIsNotAllowedToSpawn()
    {
        await using var api = await GrpcApi.StartAsync(new Dictionary<string, string>
        {
            ["APP_INTERNAL_IP_ALLOWLIST"] = "10.0.0.0/8",
        }, ready: 0, Ct);
        var client = api.Connect();

        var execute = await Should.ThrowAsync<RpcException>(async () =>
            await client.ExecuteAsync(new ExecuteRequest { SourceCode = "print(1)" }, GrpcApi.As("chat", Ct)));
        var parse = await Should.ThrowAsync<RpcException>(async () =>
            await client.ParseCustomToolAsync(new ParseCustomToolRequest { ToolSourceCode = "def f(a: int):\n    pass\n" }, GrpcApi.As(null, Ct)));
        var tool = await Should.ThrowAsync<RpcException>(async () =>
            await client.ExecuteCustomToolAsync(new ExecuteCustomToolRequest { ToolSourceCode = "def f(a: int):\n    pass\n" }, GrpcApi.As(null, Ct)));

        foreach (var error in new[] { execute, parse, tool })
        {
            error.StatusCode.ShouldBe(StatusCode.PermissionDenied);
            error.Status.Detail.ShouldContain("APP_INTERNAL_IP_ALLOWLIST");
        }
    }

    [Fact]
    public async Task Execute_UsesTheDefaultChatOrAnswersResourceExhausted_WhenNoChatIsRequiredAndTheOnlySandboxIsBusy()
    {
        await using var api = await GrpcApi.StartAsync(new Dictionary<string, string>
        {
            ["APP_REQUIRE_CHAT_ID"] = "false",
            ["APP_EXECUTOR_MAX_SANDBOXES"] = "1",
            ["APP_EXECUTOR_ACQUIRE_TIMEOUT"] = "2",
        }, ready: 1, Ct);
        var client = api.Connect();

        var written = await client.ExecuteAsync(
            new ExecuteRequest { SourceCode = "open('/workspace/default.txt', 'w').write('mine')" }, GrpcApi.As(null, Ct));
        var hash = written.Files["/workspace/default.txt"];
        (await api.Process.Client.DownloadBytesAsync("default", hash, "default.txt", Ct)).ShouldNotBeNull();

        await Eventually.TrueAsync(async () => await api.Process.PoolAsync(Ct) is { Ready: 1 },
            TimeSpan.FromSeconds(60), "the single sandbox to be ready again", Ct);
        var busy = client.ExecuteAsync(new ExecuteRequest { SourceCode = "import time\ntime.sleep(8)\nprint('done')" }, GrpcApi.As(null, Ct));
        await Eventually.TrueAsync(async () => await api.Process.PoolAsync(Ct) is { InUse: 1 },
            TimeSpan.FromSeconds(30), "the sandbox to be in use", Ct);
        var exhausted = await Should.ThrowAsync<RpcException>(async () =>
            await client.ExecuteAsync(new ExecuteRequest { SourceCode = "print(2)" }, GrpcApi.As(null, Ct)));

        exhausted.StatusCode.ShouldBe(StatusCode.ResourceExhausted);
        exhausted.Trailers.GetValue("retry-after").ShouldNotBeNullOrEmpty();
        (await busy).Stdout.ShouldBe("done\n");
    }
}
