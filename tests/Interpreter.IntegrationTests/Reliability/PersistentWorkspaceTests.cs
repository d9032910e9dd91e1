using System.Net;
using System.Text;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// A chat's remembered workspace follows what its runs really leave: deleted files are gone from it, a file that
/// became a folder (and back) is remembered as what it is now, and entries an older release left that cannot be
/// placed together (a file and a folder at one path) do not fail the chat's runs. A conflict in the request itself
/// is the client's 400, never a 503 (which tells clients to retry the same thing). Each case runs with a chat_id
/// (APP_REQUIRE_CHAT_ID=true) and as the default chat (false, no chat_id); every test works under a folder of its
/// own, since the default chat is shared.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class PersistentWorkspaceTests(DockerFixture fixture, PersistentWorkspaceTests.DefaultChatApi defaultChat)
    : IClassFixture<PersistentWorkspaceTests.DefaultChatApi>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Workspace_FollowsAFileBecomingAFolderAndBack_WhenPersistent(bool requireChatId)
    {
        var (client, chat, root) = Arrange(requireChatId);

        await RunAsync(client, chat, $"import os\nos.makedirs('{root}')\nopen('{root}/a', 'w').write('file one')");
        await RunAsync(client, chat, $"import os\nos.remove('{root}/a')\nos.makedirs('{root}/a')\nopen('{root}/a/b', 'w').write('inside')");
        var asFolder = await RunAsync(client, chat,
            $"import os, shutil\nprint(os.path.isdir('{root}/a'), open('{root}/a/b').read())\nshutil.rmtree('{root}/a')\nopen('{root}/a', 'w').write('file again')");
        var asFileAgain = await RunAsync(client, chat,
            $"import os\nprint(os.path.isfile('{root}/a'), open('{root}/a').read(), os.path.exists('{root}/a/b'))");

        asFolder.Stdout.ShouldBe("True inside\n");
        asFileAgain.Stdout.ShouldBe("True file again False\n");
        asFileAgain.Stderr.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Workspace_ForgetsDeletedFiles_WhenARunRemovesThem(bool requireChatId)
    {
        var (client, chat, root) = Arrange(requireChatId);

        await RunAsync(client, chat, $"import os\nos.makedirs('{root}/sub')\nfor n in ('x.txt', 'y.txt', 'sub/z.txt'): open('{root}/' + n, 'w').write(n)");
        await RunAsync(client, chat, $"import os, shutil\nos.remove('{root}/x.txt')\nshutil.rmtree('{root}/sub')");
        var after = await RunAsync(client, chat, $"import os\nprint(sorted(os.listdir('{root}')))");

        after.Stdout.ShouldBe("['y.txt']\n");
    }

    [Theory]
    [InlineData("the file")]
    [InlineData("the file inside the folder")]
    public async Task Workspace_DropsTheOlderEntryAndRuns_WhenAnOldReleaseRememberedAFileAndAFolderAtOnePath(string newer)
    {
        var chat = NewChat();
        const string root = "/workspace/old";
        var files = fixture.Api.Services.GetRequiredService<FileStore>();
        var (olderText, newerText) = ("older " + Guid.NewGuid(), "newer " + Guid.NewGuid());
        var older = await fixture.Client.UploadAsync(chat, "older.txt", Encoding.UTF8.GetBytes(olderText), Ct);
        await Task.Delay(50, Ct); // created_at has millisecond resolution
        var newest = await fixture.Client.UploadAsync(chat, "newer.txt", Encoding.UTF8.GetBytes(newerText), Ct);
        var (fileHash, insideHash) = newer == "the file" ? (newest.FileHash, older.FileHash) : (older.FileHash, newest.FileHash);
        // What the release before this fix saved after a run that turned the file into a folder (or back).
        await files.SaveWorkspaceAsync(chat,
            new Dictionary<string, string> { [$"{root}/a"] = fileHash, [$"{root}/a/b"] = insideHash }, DownloadLimits.Default, Ct);

        var result = await RunAsync(fixture.Client, chat,
            $"import os\nprint(os.path.isfile('{root}/a'), open('{root}/a').read() if os.path.isfile('{root}/a') else open('{root}/a/b').read())");

        result.Stdout.ShouldBe(newer == "the file" ? $"True {newerText}\n" : $"False {newerText}\n");
        (await files.GetWorkspaceAsync(chat, Ct)).Keys.ShouldBe([newer == "the file" ? $"{root}/a" : $"{root}/a/b"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Execute_Answers400NamingBothPaths_WhenExplicitFilesMakeOnePathAFileAndAFolder(bool requireChatId)
    {
        var (client, chat, root) = Arrange(requireChatId);
        var one = await client.UploadAsync(chat, "one.txt", Encoding.UTF8.GetBytes("one"), Ct);
        var two = await client.UploadAsync(chat, "two.txt", Encoding.UTF8.GetBytes("two"), Ct);

        var (status, body) = await client.PostExecuteAsync(new
        {
            source_code = "print(1)",
            chat_id = chat,
            persistent_workspace = true,
            files = new Dictionary<string, string> { [$"{root}/a"] = one.FileHash, [$"{root}/a/b"] = two.FileHash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain($"files paths '{root}/a' and '{root}/a/b' conflict: '{root}/a' cannot be a file and the folder of '{root}/a/b' at once.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Execute_Answers400NamingThePath_WhenTheSandboxRefusesAnInputPath(bool requireChatId)
    {
        var (client, chat, root) = Arrange(requireChatId);
        var file = await client.UploadAsync(chat, "one.txt", Encoding.UTF8.GetBytes("one"), Ct);
        var path = $"{root}/{new string('n', 256)}";

        var (status, body) = await client.PostExecuteAsync(new
        {
            source_code = "print(1)",
            chat_id = chat,
            files = new Dictionary<string, string> { [path] = file.FileHash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.BadRequest, body);
        body.ShouldContain($"The input file '{path}' could not be placed in the sandbox");
        body.ShouldContain("a path component is longer than 255 bytes");
    }

    private (HttpClient Client, string? Chat, string Root) Arrange(bool requireChatId) =>
        (requireChatId ? fixture.Client : defaultChat.Client, requireChatId ? NewChat() : null,
            "/workspace/t" + Guid.NewGuid().ToString("N")[..8]);

    private static async Task<ExecuteResponse> RunAsync(HttpClient client, string? chat, string code)
    {
        var result = await client.ExecuteWithAsync(new { source_code = code, chat_id = chat, persistent_workspace = true }, Ct);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return result;
    }

    private static string NewChat() => "ws-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>An API with APP_REQUIRE_CHAT_ID=false: requests without chat_id are the chat "default".</summary>
    public sealed class DefaultChatApi : IAsyncLifetime
    {
        public SandboxApiFactory Factory { get; } = new(new Dictionary<string, string>
        {
            ["App:REQUIRE_CHAT_ID"] = "false",
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "2",
        });

        public HttpClient Client { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Client = await Factory.StartAsync(ready: 1, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            Client?.Dispose();
            await Factory.DisposeAsync();
        }
    }
}
