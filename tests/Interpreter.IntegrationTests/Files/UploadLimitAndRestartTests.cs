using System.Net;
using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>The upload size limit, and files outliving a restart; each test starts its own API without sandboxes.</summary>
[Collection(FilesCollection.Name)]
public sealed class UploadLimitAndRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1_500_000)] // within the request limit: the file is written, cut off at 1 MiB and deleted
    [InlineData(5_000_000)] // over the request limit (file limit + form overhead): refused before it is read
    public async Task Upload_Answers413AndKeepsNothing_WhenFileOverTheLimit(int size)
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:FILE_SIZE_LIMIT"] = "1Mi",
        });
        using var factoryClient = await api.StartAsync(ready: 0, Ct);
        using var client = ExpectContinueClient.For(factoryClient.BaseAddress!);

        using var response = await client.PostUploadAsync("c1", "big.bin", new ByteArrayContent(new byte[size]), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("APP_FILE_SIZE_LIMIT");
        Directory.GetFiles(api.StoragePath).ShouldBeEmpty();
        var temp = Path.Combine(api.StoragePath, ".internal", "tmp");
        (Directory.Exists(temp) ? Directory.GetFiles(temp, "*.part", SearchOption.AllDirectories) : []).ShouldBeEmpty();
    }

    [Fact]
    public async Task Upload_Accepts_WhenFileExactlyAtTheLimit()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:FILE_SIZE_LIMIT"] = "1Mi",
        });
        using var client = await api.StartAsync(ready: 0, Ct);
        var bytes = RandomNumberGenerator.GetBytes(1 << 20);

        var upload = await client.UploadAsync("c1", "exact.bin", bytes, Ct);

        upload.FileHash.ShouldBe(FileCalls.Sha256(bytes));
    }

    [Fact]
    public async Task Download_ServesFilesAndLimits_AfterARestart()
    {
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "restart-" + Guid.NewGuid().ToString("N")[..10]);
        var settings = new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:FILE_STORAGE_PATH"] = storage,
        };
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        try
        {
            string hash;
            await using (var before = new SandboxApiFactory(settings))
            {
                using var client = await before.StartAsync(ready: 0, Ct);
                hash = (await client.UploadAsync("c1", "kept.bin", bytes, Ct, maxDownloads: 2)).FileHash;
                (await client.DownloadBytesAsync("c1", hash, "kept.bin", Ct)).ShouldBe(bytes);
            }

            await using var after = new SandboxApiFactory(settings);
            using var restarted = await after.StartAsync(ready: 0, Ct);

            (await restarted.DownloadBytesAsync("c1", hash, "kept.bin", Ct)).ShouldBe(bytes);
            (await restarted.DownloadBytesAsync("c1", hash, "kept.bin", Ct)).ShouldBeNull();
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }
}
