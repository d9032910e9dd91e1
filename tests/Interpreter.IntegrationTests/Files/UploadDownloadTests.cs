using System.Net;
using System.Security.Cryptography;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>Upload, download and expire over real HTTP, with the real storage folder and sweeper.</summary>
[Collection(FilesCollection.Name)]
public sealed class UploadDownloadTests(FilesFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => fixture.Client;

    private string Storage => fixture.Api.StoragePath;

    [Fact]
    public async Task Download_ReturnsTheUploadedBytesWithHeaders_WhenRoundTripped()
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var chat = NewChat();

        var upload = await Client.UploadAsync(chat, "report.csv", bytes, Ct, maxDownloads: 5, expiresSeconds: 3600);
        using var response = await Client.DownloadAsync(chat, upload.FileHash, "report.csv", Ct);

        upload.FileHash.ShouldBe(FileCalls.Sha256(bytes));
        upload.Filename.ShouldBe("report.csv");
        upload.ChatId.ShouldBe(chat);
        upload.Metadata.RemainingDownloads.ShouldBe(5);
        upload.Metadata.ExpiresAt.ShouldNotBeNull();
        upload.Metadata.ExpiresAt.ShouldEndWith("Z");
        DateTimeOffset.Parse(upload.Metadata.ExpiresAt, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentLength.ShouldBe(bytes.Length);
        response.Content.Headers.ContentDisposition!.ToString()
            .ShouldBe("attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv");
        (await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(bytes);
        File.Exists(Path.Combine(Storage, upload.FileHash)).ShouldBeTrue();
    }

    [Fact]
    public async Task Upload_StoresOneBlobAndTwoRows_WhenTwoChatsUploadTheSameBytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(50_000);
        var (chatA, chatB) = (NewChat(), NewChat());

        var a = await Client.UploadAsync(chatA, "a.bin", bytes, Ct);
        var b = await Client.UploadAsync(chatB, "b.bin", bytes, Ct);

        a.FileHash.ShouldBe(b.FileHash);
        Directory.GetFiles(Storage, a.FileHash).Length.ShouldBe(1);
        (await Client.DownloadBytesAsync(chatA, a.FileHash, "a.bin", Ct)).ShouldBe(bytes);
        (await Client.DownloadBytesAsync(chatB, b.FileHash, "b.bin", Ct)).ShouldBe(bytes);
        (await Client.DownloadBytesAsync(chatA, a.FileHash, "b.bin", Ct)).ShouldBeNull();
        (await Client.DownloadBytesAsync(chatB, a.FileHash, "a.bin", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Download_Answers404_AfterTheLimitOfTwo()
    {
        var chat = NewChat();
        var upload = await Client.UploadAsync(chat, "twice.txt", Encoding.UTF8.GetBytes("two downloads"), Ct, maxDownloads: 2);

        using var first = await Client.DownloadAsync(chat, upload.FileHash, "twice.txt", Ct);
        using var second = await Client.DownloadAsync(chat, upload.FileHash, "twice.txt", Ct);
        using var third = await Client.DownloadAsync(chat, upload.FileHash, "twice.txt", Ct);

        upload.Metadata.RemainingDownloads.ShouldBe(2);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        third.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        third.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await third.Content.ReadAsStringAsync(Ct)).ShouldContain("File not found");
    }

    [Fact]
    public async Task Download_Answers404AndSweeperRemovesBlob_WhenExpired()
    {
        var chat = NewChat();
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        var upload = await Client.UploadAsync(chat, "short.bin", bytes, Ct, expiresSeconds: 2);
        var blob = Path.Combine(Storage, upload.FileHash);
        (await Client.DownloadBytesAsync(chat, upload.FileHash, "short.bin", Ct)).ShouldBe(bytes);

        await Eventually.TrueAsync(async () => !File.Exists(blob), TimeSpan.FromSeconds(30),
            "the sweeper to delete the expired blob", Ct);

        using var after = await Client.DownloadAsync(chat, upload.FileHash, "short.bin", Ct);
        after.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Expire_EndsDownloads_WhenCalledByTheOwner()
    {
        var chat = NewChat();
        var upload = await Client.UploadAsync(chat, "gone.txt", Encoding.UTF8.GetBytes("soon gone"), Ct);

        using var otherChat = await Client.ExpireAsync(NewChat(), upload.FileHash, "gone.txt", Ct);
        using var expire = await Client.ExpireAsync(chat, upload.FileHash, "gone.txt", Ct);
        using var again = await Client.ExpireAsync(chat, upload.FileHash, "gone.txt", Ct);
        using var download = await Client.DownloadAsync(chat, upload.FileHash, "gone.txt", Ct);

        otherChat.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        expire.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await expire.Content.ReadAsStringAsync(Ct)).ShouldBe("{\"success\":true}");
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        download.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Download_GivesExactlyOne200_When50RaceForTheLastDownload()
    {
        var chat = NewChat();
        var upload = await Client.UploadAsync(chat, "race.bin", RandomNumberGenerator.GetBytes(1000), Ct, maxDownloads: 1);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await Client.DownloadAsync(chat, upload.FileHash, "race.bin", Ct);
            return response.StatusCode;
        }));

        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(1);
        statuses.Count(s => s == HttpStatusCode.NotFound).ShouldBe(49);
    }

    [Fact]
    public async Task Download_AnswersTheSame404_ForUnknownOtherChatExpiredAndExhausted()
    {
        var chat = NewChat();
        var once = await Client.UploadAsync(chat, "once.txt", Encoding.UTF8.GetBytes("once"), Ct, maxDownloads: 1);
        var expired = await Client.UploadAsync(chat, "expired.txt", Encoding.UTF8.GetBytes("expired"), Ct);
        (await Client.DownloadBytesAsync(chat, once.FileHash, "once.txt", Ct)).ShouldNotBeNull();
        (await Client.ExpireAsync(chat, expired.FileHash, "expired.txt", Ct)).Dispose();

        var bodies = new List<string>();
        foreach (var (c, hash, name) in new[]
        {
            (chat, new string('e', 64), "unknown.txt"),
            (NewChat(), once.FileHash, "once.txt"),
            (chat, expired.FileHash, "expired.txt"),
            (chat, once.FileHash, "once.txt"),
        })
        {
            using var response = await Client.DownloadAsync(c, hash, name, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            var body = await response.Content.ReadAsStringAsync(Ct);
            bodies.Add(body[..body.IndexOf("\"trace_id\"", StringComparison.Ordinal)]);
        }

        bodies.Distinct().Count().ShouldBe(1);
    }

    public static TheoryData<string, string, string> BadUploads => new()
    {
        { "bad filename", "c1", "../etc/passwd" },
        { "filename with space", "c1", "my file.txt" },
        { "dot dot", "c1", ".." },
        { "bad chat_id", "../x", "ok.txt" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task Upload_Answers400NamingTheField_WhenInputInvalid(string name, string chat, string filename)
    {
        using var response = await Client.PostUploadAsync(chat, filename, new ByteArrayContent([1, 2, 3]), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{name}: {body}");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.ShouldContain(name.Contains("chat", StringComparison.Ordinal) ? "chat_id" : "filename", Case.Sensitive, name);
    }

    [Fact]
    public async Task Upload_Answers400_WhenChatIdMissingOrLimitsInvalid()
    {
        using var noChat = await Client.PostUploadAsync(null, "a.txt", new ByteArrayContent([1]), Ct);
        using var negative = await Client.PostUploadAsync("c1", "a.txt", new ByteArrayContent([1]), Ct, maxDownloads: -1);
        using var noFile = await Client.PostAsync("/v1/upload", new MultipartFormDataContent { { new StringContent("c1"), "chat_id" } }, Ct);

        noChat.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noChat.Content.ReadAsStringAsync(Ct)).ShouldContain("chat_id");
        negative.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await negative.Content.ReadAsStringAsync(Ct)).ShouldContain("max_downloads");
        noFile.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noFile.Content.ReadAsStringAsync(Ct)).ShouldContain("upload");
        Directory.GetFiles(Path.Combine(Storage, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    public static TheoryData<string, string, string, string, string> BadReferences => new()
    {
        { "/v1/download", "bad hash", "c1", "XYZ", "file_hash" },
        { "/v1/download", "uppercase hash", "c1", new string('A', 64), "file_hash" },
        { "/v1/download", "bad chat_id", "c 1", new string('a', 64), "chat_id" },
        { "/v1/download", "filename with slash", "c1", new string('a', 64), "filename" },
        { "/v1/expire", "bad hash", "c1", "1234", "file_hash" },
        { "/v1/expire", "bad chat_id", "../x", new string('a', 64), "chat_id" },
    };

    [Theory]
    [MemberData(nameof(BadReferences))]
    public async Task DownloadAndExpire_Answer400NamingTheField_WhenInputInvalid(
        string endpoint, string name, string chat, string hash, string field)
    {
        var filename = name.Contains("slash", StringComparison.Ordinal) ? "a/b.txt" : "a.txt";

        using var response = await Client.PostAsync(endpoint, System.Net.Http.Json.JsonContent.Create(
            new { chat_id = chat, file_hash = hash, filename }, options: ExecuteCalls.Json), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{name}: {body}");
        body.ShouldContain(field, Case.Sensitive, name);
    }

    private static string NewChat() => "chat-" + Guid.NewGuid().ToString("N")[..12];
}
