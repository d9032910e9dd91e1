using System.Net;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.IntegrationTests.Reliability;
using Shouldly;

namespace Interpreter.IntegrationTests.Storage;

/// <summary>
/// Issue 13, item 1, with the real API: two processes on one storage folder never share its LiteDB file. The second
/// waits for the owner, then fails start-up naming the cause; once the owner is gone, a new one starts and sees
/// what the first stored.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class EmbeddedMetadataOwnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SecondApi_FailsStartUpNamingTheOwner_WhenTheFirstStillHoldsTheFolder()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "owner-" + id);
        var settings = new Dictionary<string, string>
        {
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["APP_METADATA_OWNER_WAIT_SECONDS"] = "3",
        };
        try
        {
            await using var first = ApiProcess.Start("owner-a-" + id, storage, settings);
            await WaitReadyAsync(first);
            using var upload = await first.Client.PostUploadAsync("c1", "kept.txt", new ByteArrayContent("kept"u8.ToArray()), Ct);
            upload.StatusCode.ShouldBe(HttpStatusCode.OK, await upload.Content.ReadAsStringAsync(Ct));

            await using var second = ApiProcess.Start("owner-b-" + id, storage, settings);
            await Eventually.TrueAsync(() => Task.FromResult(second.HasExited), TimeSpan.FromSeconds(60), "the second API to give up", Ct);
            var secondOutput = second.RecentOutput;
            await first.StopAsync(Ct);
            await using var third = ApiProcess.Start("owner-c-" + id, storage, settings);
            await WaitReadyAsync(third);
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("kept"u8));
            using var download = await third.Client.DownloadAsync("c1", hash, "kept.txt", Ct);

            second.ExitCode.ShouldNotBe(0);
            secondOutput.ShouldContain("in use by another process");
            secondOutput.ShouldContain("APP_METADATA_OWNER_WAIT_SECONDS");
            first.ExitCode.ShouldBe(0, "the owner stops cleanly and lets go of the file");
            download.StatusCode.ShouldBe(HttpStatusCode.OK, "the next owner serves what the first one stored");
            (await download.Content.ReadAsStringAsync(Ct)).ShouldBe("kept");
        }
        finally
        {
            try
            {
                Directory.Delete(storage, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static async Task WaitReadyAsync(ApiProcess api) =>
        await Eventually.TrueAsync(async () => !api.HasExited && await api.PoolAsync(Ct) is not null, TimeSpan.FromSeconds(60),
            "the API to answer /readyz", Ct);
}
