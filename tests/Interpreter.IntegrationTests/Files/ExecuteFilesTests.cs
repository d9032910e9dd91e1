using System.Net;
using System.Security.Cryptography;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>Files into and out of /v1/execute against real sandboxes.</summary>
[Collection(DockerCollection.Name)]
public sealed class ExecuteFilesTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Execute_ReadsTheUploadAndStoresOutputs_ThatCanBeDownloaded()
    {
        var chat = NewChat();
        var upload = await Client.UploadAsync(chat, "numbers.csv", Encoding.UTF8.GetBytes("n\n1\n2\n39\n"), Ct, maxDownloads: 1);
        const string code = """
            import os, pandas as pd
            total = int(pd.read_csv('/workspace/data/numbers.csv')['n'].sum())
            os.makedirs('/workspace/out/deep', exist_ok=True)
            open('/workspace/out/result.txt', 'w').write(f'total={total}')
            open('/workspace/out/deep/copy.csv', 'w').write(open('/workspace/data/numbers.csv').read())
            print(total)
            """;

        var result = await Client.ExecuteWithAsync(new
        {
            source_code = code,
            chat_id = chat,
            files = new Dictionary<string, string> { ["/workspace/data/numbers.csv"] = upload.FileHash },
            max_downloads = 3,
            expires_days = 1,
        }, Ct);

        result.Stdout.ShouldBe("42\n");
        result.Files.Keys.Order().ShouldBe(["/workspace/out/deep/copy.csv", "/workspace/out/result.txt"]);
        result.Files["/workspace/out/deep/copy.csv"].ShouldBe(upload.FileHash);
        result.FilesMetadata["/workspace/out/result.txt"].RemainingDownloads.ShouldBe(3);
        result.FilesMetadata["/workspace/out/result.txt"].ExpiresAt.ShouldNotBeNull().ShouldEndWith("Z");
        using var output = await Client.DownloadAsync(chat, result.Files["/workspace/out/result.txt"], "result.txt", Ct);
        output.StatusCode.ShouldBe(HttpStatusCode.OK);
        output.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await output.Content.ReadAsStringAsync(Ct)).ShouldBe("total=42");
        // Using the upload as an input took none of its single download.
        (await Client.DownloadBytesAsync(chat, upload.FileHash, "numbers.csv", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Execute_StreamsLargeFilesBothWays_WhenTwentyMiB()
    {
        var chat = NewChat();
        var bytes = RandomNumberGenerator.GetBytes(20 << 20);
        var upload = await Client.UploadAsync(chat, "big.bin", bytes, Ct);
        const string code = """
            import hashlib
            data = open('/workspace/big.bin', 'rb').read()
            print(hashlib.sha256(data).hexdigest())
            open('/workspace/reversed.bin', 'wb').write(data[::-1])
            """;

        var result = await Client.ExecuteWithAsync(new
        {
            source_code = code,
            chat_id = chat,
            files = new Dictionary<string, string> { ["/workspace/big.bin"] = upload.FileHash },
        }, Ct);

        result.Stdout.Trim().ShouldBe(upload.FileHash);
        var reversed = bytes.Reverse().ToArray();
        result.Files["/workspace/reversed.bin"].ShouldBe(FileCalls.Sha256(reversed));
        (await Client.DownloadBytesAsync(chat, result.Files["/workspace/reversed.bin"], "reversed.bin", Ct)).ShouldBe(reversed);
    }

    [Fact]
    public async Task Execute_CarriesTheWorkspace_WhenPersistent_AndNotAcrossChatsOrWithoutIt()
    {
        var (chat, other) = (NewChat(), NewChat());
        const string write = "open('/workspace/notes/state.txt', 'w').write('first') if __import__('os').makedirs('/workspace/notes', exist_ok=True) is None else None";
        const string read = "import os\nprint(open('/workspace/notes/state.txt').read() if os.path.exists('/workspace/notes/state.txt') else 'missing')";

        var first = await Client.ExecuteWithAsync(new { source_code = write, chat_id = chat, persistent_workspace = true }, Ct);
        var second = await Client.ExecuteWithAsync(new { source_code = read, chat_id = chat, persistent_workspace = true }, Ct);
        var otherChat = await Client.ExecuteWithAsync(new { source_code = read, chat_id = other, persistent_workspace = true }, Ct);
        var notPersistent = await Client.ExecuteWithAsync(new { source_code = read, chat_id = chat }, Ct);

        first.Files.Keys.ShouldBe(["/workspace/notes/state.txt"]);
        second.Stdout.ShouldBe("first\n");
        second.Files.ShouldBeEmpty();
        otherChat.Stdout.ShouldBe("missing\n");
        notPersistent.Stdout.ShouldBe("missing\n");
    }

    [Fact]
    public async Task Execute_LetsExplicitFilesWin_WhenTheyCollideWithTheWorkspace()
    {
        var chat = NewChat();
        await Client.ExecuteWithAsync(new
        {
            source_code = "open('/workspace/a.txt', 'w').write('from workspace')",
            chat_id = chat,
            persistent_workspace = true,
        }, Ct);
        var upload = await Client.UploadAsync(chat, "a.txt", Encoding.UTF8.GetBytes("explicit"), Ct);

        var result = await Client.ExecuteWithAsync(new
        {
            source_code = "print(open('/workspace/a.txt').read())",
            chat_id = chat,
            persistent_workspace = true,
            files = new Dictionary<string, string> { ["/workspace/a.txt"] = upload.FileHash },
        }, Ct);

        result.Stdout.ShouldBe("explicit\n");
    }

    [Fact]
    public async Task Execute_Answers404NamingTheHash_WhenFileBelongsToAnotherChat()
    {
        var upload = await Client.UploadAsync(NewChat(), "secret.txt", Encoding.UTF8.GetBytes("secret"), Ct);

        var (status, body) = await Client.PostExecuteAsync(new
        {
            source_code = "print(open('/workspace/secret.txt').read())",
            chat_id = NewChat(),
            files = new Dictionary<string, string> { ["/workspace/secret.txt"] = upload.FileHash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldContain(upload.FileHash);
    }

    [Fact]
    public async Task Execute_Answers404_WhenBlobCopiedInButChatIdRequired()
    {
        var bytes = Encoding.UTF8.GetBytes("copied in by hand " + Guid.NewGuid());
        var hash = FileCalls.Sha256(bytes);
        await File.WriteAllBytesAsync(Path.Combine(fixture.Api.StoragePath, hash), bytes, Ct);

        var (status, body) = await Client.PostExecuteAsync(new
        {
            source_code = "print(1)",
            chat_id = NewChat(),
            files = new Dictionary<string, string> { ["/workspace/in.txt"] = hash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldContain(hash);
    }

    [Theory]
    [InlineData("/workspace/a/../../etc/passwd")]
    [InlineData("/workspace/./a.txt")]
    [InlineData("/workspace//a.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("workspace/a.txt")]
    [InlineData("/workspace/")]
    public async Task Execute_Answers400NamingThePath_WhenFilesKeyEscapesTheWorkspace(string path)
    {
        var (status, body) = await Client.PostExecuteAsync(new
        {
            source_code = "print(1)",
            chat_id = NewChat(),
            files = new Dictionary<string, string> { [path] = new string('a', 64) },
        }, Ct);

        status.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldContain(System.Text.Json.JsonEncodedText.Encode(path).ToString());
    }

    [Fact]
    public async Task Execute_Answers413_WhenInputsDoNotFitTheWorkspace()
    {
        var chat = NewChat();
        // The test API's workspace holds 64 MiB.
        var upload = await Client.UploadAsync(chat, "huge.bin", new byte[70 << 20], Ct);

        var (status, body) = await Client.PostExecuteAsync(new
        {
            source_code = "print(1)",
            chat_id = chat,
            files = new Dictionary<string, string> { ["/workspace/huge.bin"] = upload.FileHash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        body.ShouldContain("APP_WORKSPACE_SIZE_LIMIT");
    }

    private static string NewChat() => "chat-" + Guid.NewGuid().ToString("N")[..12];
}
