using System.Net;
using System.Security.Cryptography;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// The reviews' download race, kept: many parallel downloads of a file with a small download limit get exactly that
/// many complete copies, and every other caller the same 404, however the calls interleave.
/// </summary>
[Collection(FilesCollection.Name)]
public sealed class DownloadRaceTests(FilesFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Download_ServesExactlyTheLimit_When100CallersRaceForTwoDownloads()
    {
        var chat = "race-" + Guid.NewGuid().ToString("N")[..8];
        var bytes = RandomNumberGenerator.GetBytes(256 * 1024);
        var upload = await fixture.Client.UploadAsync(chat, "race.bin", bytes, Ct, maxDownloads: 2);
        using var start = new SemaphoreSlim(0);

        var calls = Enumerable.Range(0, 100).Select(async _ =>
        {
            await start.WaitAsync(Ct);
            using var response = await fixture.Client.DownloadAsync(chat, upload.FileHash, "race.bin", Ct);
            var body = await response.Content.ReadAsByteArrayAsync(Ct);
            return (response.StatusCode, Body: body);
        }).ToArray();
        start.Release(100);
        var answers = await Task.WhenAll(calls);

        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(2);
        answers.Where(a => a.StatusCode == HttpStatusCode.OK).ShouldAllBe(a => a.Body.SequenceEqual(bytes));
        answers.Count(a => a.StatusCode == HttpStatusCode.NotFound).ShouldBe(98);
        using var after = await fixture.Client.DownloadAsync(chat, upload.FileHash, "race.bin", Ct);
        after.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
