using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Issue 19, item 10: downloads are never sniffed into HTML, a browser page of another site cannot post to the
/// service, and a chat cannot grow storage without bound (upload and execute outputs alike).
/// </summary>
public sealed class SmallerGapsTests(StorageHardeningFixture fixture) : IClassFixture<StorageHardeningFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewChat() => "gaps-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Download_IsNosniffAndSandboxed_WhenTheFileIsHtml()
    {
        var chat = NewChat();
        var html = "<html><script>alert(document.cookie)</script></html>"u8.ToArray();
        var upload = await fixture.Client.UploadAsync(chat, "page.html", html, Ct);

        using var response = await fixture.Client.DownloadAsync(chat, upload.FileHash, "page.html", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("sandbox");
        (await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(html);
    }

    [Fact]
    public async Task Upload_Is403BeforeTheBodyIsRead_WhenABrowserPageOfAnotherOriginPostsIt()
    {
        var chat = NewChat();
        var content = RandomNumberGenerator.GetBytes(4096);
        var hash = FileCalls.Sha256(content);

        // What a form on https://evil.example makes a browser send: multipart, no preflight, its Origin named.
        using var form = new MultipartFormDataContent("----WebKitFormBoundaryHostile");
        form.Add(new StringContent(chat), "chat_id");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "upload", "x.bin");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/upload") { Content = form };
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        using var response = await fixture.Client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        body.ShouldContain("APP_ALLOWED_ORIGINS");
        File.Exists(Path.Combine(fixture.Api.StoragePath, hash)).ShouldBeFalse("nothing of a refused upload is stored");
        var metadata = fixture.Api.Services.GetRequiredService<IFileMetadataStore>();
        (await metadata.FindLiveAsync(chat, hash, Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData("/v1/execute", "{\"source_code\": \"print(1)\"}")]
    [InlineData("/v1/download", "{\"file_hash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"filename\": \"a\"}")]
    [InlineData("/v1/expire", "{\"file_hash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"filename\": \"a\"}")]
    [InlineData("/v1/execute-custom-tool", "{\"tool_source_code\": \"def f(x: int) -> int:\\n    return x\\n\", \"tool_input_json\": \"{\\\"x\\\": 1}\"}")]
    public async Task StateChangingEndpoint_Is403_WhenTheOriginIsForeign_ButNotWhenAllowedOwnOrAbsent(string path, string json)
    {
        var foreign = await PostAsync(path, json, "https://evil.example");
        var nullOrigin = await PostAsync(path, json, "null");
        var allowed = await PostAsync(path, json, StorageHardeningFixture.AllowedOrigin);
        var own = await PostAsync(path, json, fixture.Client.BaseAddress!.GetLeftPart(UriPartial.Authority));
        var none = await PostAsync(path, json, null);

        foreign.ShouldBe(HttpStatusCode.Forbidden);
        nullOrigin.ShouldBe(HttpStatusCode.Forbidden);
        allowed.ShouldNotBe(HttpStatusCode.Forbidden);
        own.ShouldNotBe(HttpStatusCode.Forbidden);
        none.ShouldNotBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Upload_Is409NamingTheQuota_WhenTheChatWouldGoOverItsBytes()
    {
        var chat = NewChat();
        await fixture.Client.UploadAsync(chat, "a.bin", RandomNumberGenerator.GetBytes((int)(StorageHardeningFixture.ChatQuotaBytes * 3 / 4)), Ct);
        var over = RandomNumberGenerator.GetBytes((int)(StorageHardeningFixture.ChatQuotaBytes / 2));

        using var response = await fixture.Client.PostUploadAsync(chat, "b.bin", new ByteArrayContent(over), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict, body);
        body.ShouldContain("APP_CHAT_STORAGE_QUOTA_BYTES");
        File.Exists(Path.Combine(fixture.Api.StoragePath, FileCalls.Sha256(over))).ShouldBeFalse("nothing over the quota is stored");
        (await fixture.Client.UploadAsync(NewChat(), "b.bin", over, Ct)).FileHash.ShouldBe(FileCalls.Sha256(over), "another chat has its own quota");
    }

    [Fact]
    public async Task Upload_Is409NamingTheLimit_WhenTheChatHoldsTheMostFiles()
    {
        var chat = NewChat();
        for (var i = 0; i < StorageHardeningFixture.ChatFileLimit; i++)
        {
            await fixture.Client.UploadAsync(chat, $"f{i}.txt", Encoding.UTF8.GetBytes($"{chat} {i}"), Ct);
        }

        using var response = await fixture.Client.PostUploadAsync(chat, "one-more.txt", new ByteArrayContent("x"u8.ToArray()), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict, body);
        body.ShouldContain("APP_CHAT_FILE_LIMIT");
    }

    [Fact]
    public async Task Execute_LeavesOutOutputsOverTheQuotaAndSaysSoInStderr_WhenTheRunWritesMoreThanTheChatMayHold()
    {
        var chat = NewChat();
        var result = await fixture.Client.ExecuteWithAsync(new
        {
            chat_id = chat,
            source_code = """
                import os
                for i in range(20):
                    with open(f'/workspace/out{i:02}.bin', 'wb') as f:
                        f.write(os.urandom(32 * 1024))
                print('written')
                """,
        }, Ct);

        result.Stdout.ShouldBe("written\n");
        result.Files.Count.ShouldBe(StorageHardeningFixture.ChatFileLimit, "only what fits the chat's file limit is stored");
        result.Stderr.ShouldContain("was not stored");
        result.Stderr.ShouldContain("APP_CHAT_FILE_LIMIT");
        using var oneMore = await fixture.Client.PostUploadAsync(chat, "one-more.txt", new ByteArrayContent("x"u8.ToArray()), Ct);
        oneMore.StatusCode.ShouldBe(HttpStatusCode.Conflict, "the run's stored outputs fill the chat's file limit");
    }

    [Fact]
    public async Task Execute_LeavesOutOutputsOverTheChatBytes_WhenTheyDoNotFit()
    {
        var chat = NewChat();
        var result = await fixture.Client.ExecuteWithAsync(new
        {
            chat_id = chat,
            source_code = """
                import os
                for i in range(3):
                    with open(f'/workspace/big{i}.bin', 'wb') as f:
                        f.write(os.urandom(100 * 1024))
                """,
        }, Ct);

        result.Files.Count.ShouldBe(2, "two of 100 KiB fit a 256 KiB quota, the third does not");
        result.Stderr.ShouldContain("/workspace/big2.bin was not stored");
        result.Stderr.ShouldContain("APP_CHAT_STORAGE_QUOTA_BYTES");
    }

    private async Task<HttpStatusCode> PostAsync(string path, string json, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        using var response = await fixture.Client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
