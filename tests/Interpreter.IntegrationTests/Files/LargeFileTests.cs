using System.Net;
using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>
/// A 1 GiB file up and down through the API running in this process, with the process's memory measured:
/// streaming keeps it flat, buffering would add at least the file's size.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class LargeFileTests
{
    private const long OneGiB = 1L << 30;

    // Far below the 1 GiB that buffering the file once would cost, with room for the GC's and Kestrel's pools.
    private const long AllowedGrowth = 256L << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadAndDownload_KeepMemoryFlat_WhenFileIsOneGiB()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string> { ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0" });
        using var factoryClient = await api.StartAsync(ready: 0, Ct);
        // The factory's own client buffers request bodies (to replay them on redirects): use a plain one.
        using var client = new HttpClient { BaseAddress = factoryClient.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        using (var warmup = await client.PostUploadAsync("c1", "warmup.bin", new GeneratedContent(8 << 20), Ct))
        {
            warmup.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        await using var rss = new RssSampler();

        using var content = new GeneratedContent(OneGiB);
        using (var upload = await client.PostUploadAsync("c1", "big.bin", content, Ct))
        {
            upload.StatusCode.ShouldBe(HttpStatusCode.OK, await upload.Content.ReadAsStringAsync(Ct));
        }

        using var download = await client.DownloadAsync("c1", content.Sha256, "big.bin", Ct);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentLength.ShouldBe(OneGiB);
        await using var body = await download.Content.ReadAsStreamAsync(Ct);
        var received = Convert.ToHexStringLower(await SHA256.HashDataAsync(body, Ct));

        received.ShouldBe(content.Sha256);
        new FileInfo(Path.Combine(api.StoragePath, content.Sha256)).Length.ShouldBe(OneGiB);
        var growth = rss.Peak - rss.Baseline;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"RSS baseline {rss.Baseline >> 20} MiB, peak {rss.Peak >> 20} MiB, growth {growth >> 20} MiB");
        growth.ShouldBeLessThan(AllowedGrowth);
    }
}
