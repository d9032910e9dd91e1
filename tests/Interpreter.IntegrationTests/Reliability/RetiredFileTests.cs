using System.Net;
using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Issue 19, item 4: a file the service retired (out of downloads, or expired) must not come back. Its row is swept
/// within a fraction of a second, but its blob stays on disk for the orphan grace; the shared-directory rule
/// (APP_REQUIRE_CHAT_ID=false, no chat_id) used to adopt that blob for the default chat, which could then
/// download it without limit.
/// </summary>
public sealed class RetiredFileTests(StorageHardeningFixture fixture) : IClassFixture<StorageHardeningFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_Refuses404AndDefaultChatCannotDownload_WhenTheFileWasExhaustedThenSwept()
    {
        var chat = "retired-" + Guid.NewGuid().ToString("N")[..8];
        var content = RandomNumberGenerator.GetBytes(1024);
        var upload = await fixture.Client.UploadAsync(chat, "x.txt", content, Ct, maxDownloads: 1);
        (await fixture.Client.DownloadBytesAsync(chat, upload.FileHash, "x.txt", Ct)).ShouldBe(content);
        await WaitUntilSweptAsync(upload.FileHash);

        await AssertNotAdoptedAsync(upload.FileHash);
    }

    [Fact]
    public async Task Execute_Refuses404AndDefaultChatCannotDownload_WhenTheFileWasExpiredThenSwept()
    {
        var chat = "retired-" + Guid.NewGuid().ToString("N")[..8];
        var content = RandomNumberGenerator.GetBytes(1024);
        var upload = await fixture.Client.UploadAsync(chat, "x.txt", content, Ct);
        using (var expire = await fixture.Client.ExpireAsync(chat, upload.FileHash, "x.txt", Ct))
        {
            expire.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await WaitUntilSweptAsync(upload.FileHash);

        await AssertNotAdoptedAsync(upload.FileHash);
    }

    private async Task WaitUntilSweptAsync(string hash)
    {
        var metadata = fixture.Api.Services.GetRequiredService<IFileMetadataStore>();
        await Eventually.TrueAsync(async () => !await metadata.IsRegisteredAsync(hash, Ct), TimeSpan.FromSeconds(30),
            "the sweep to delete the file's row", Ct);
        File.Exists(Path.Combine(fixture.Api.StoragePath, hash)).ShouldBeTrue("the blob waits out its orphan grace on disk");
    }

    private async Task AssertNotAdoptedAsync(string hash)
    {
        var (status, body) = await fixture.Client.PostExecuteAsync(new
        {
            source_code = "print(open('/workspace/x.txt', 'rb').read().hex())",
            files = new Dictionary<string, string> { ["/workspace/x.txt"] = hash },
        }, Ct);

        status.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldContain(hash);
        (await fixture.Client.DownloadBytesAsync(null, hash, "x.txt", Ct)).ShouldBeNull("the default chat must not get the file");
        (await fixture.Client.DownloadBytesAsync("default", hash, "x.txt", Ct)).ShouldBeNull("the default chat must not get the file");
    }
}
