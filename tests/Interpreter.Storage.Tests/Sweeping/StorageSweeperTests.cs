using System.Security.Cryptography;
using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Sweeping;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Storage.Tests.Sweeping;

public sealed class StorageSweeperTests : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly BlobStore _blobs;
    private readonly LiteDbFileMetadataStore _metadata;
    private readonly FileStore _files;
    private readonly StorageSweeper _sweeper;

    public StorageSweeperTests()
    {
        var layout = new StorageLayout(_folder.Path);
        var options = Options.Create(new StorageOptions { FileStoragePath = _folder.Path, OrphanGraceSeconds = 60 });
        _blobs = new BlobStore(layout, new BlobLeases(), _clock, NullLogger<BlobStore>.Instance);
        _metadata = new LiteDbFileMetadataStore(layout.DefaultMetadataDatabase, _clock, TimeSpan.Zero);
        _files = new FileStore(_blobs, _metadata, options, _clock, NullLogger<FileStore>.Instance);
        _sweeper = new StorageSweeper(_metadata, _blobs, options, _clock, NullLogger<StorageSweeper>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sweep_DeletesRowThenBlob_WhenFileExpired()
    {
        var file = await SaveAsync("c1", new DownloadLimits(ExpiresSeconds: 30));
        _clock.Advance(TimeSpan.FromMinutes(5));

        var result = await _sweeper.SweepOnceAsync(Ct);

        result.Rows.ShouldBe(1);
        result.Blobs.ShouldBe(1);
        File.Exists(BlobPath(file)).ShouldBeFalse();
    }

    [Fact]
    public async Task Sweep_KeepsTheBlob_WhileAnotherChatStillHoldsIt()
    {
        var bytes = RandomNumberGenerator.GetBytes(128);
        await SaveAsync("c1", new DownloadLimits(ExpiresSeconds: 30), bytes);
        var kept = await SaveAsync("c2", DownloadLimits.Default, bytes);
        _clock.Advance(TimeSpan.FromMinutes(5));

        var result = await _sweeper.SweepOnceAsync(Ct);

        result.Rows.ShouldBe(1);
        result.Blobs.ShouldBe(0);
        File.Exists(BlobPath(kept)).ShouldBeTrue();
    }

    [Fact]
    public async Task Sweep_SparesALeasedBlob_UntilTheLeaseEnds()
    {
        var file = await SaveAsync("c1", new DownloadLimits(ExpiresSeconds: 30));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var lease = await _files.LeaseBlobAsync(file.Hash, Ct);
        // Leasing refreshed the blob's time; let the grace period pass so only the lease protects it.
        _clock.Advance(TimeSpan.FromMinutes(5));

        var during = await _sweeper.SweepOnceAsync(Ct);
        await lease!.DisposeAsync();
        var after = await _sweeper.SweepOnceAsync(Ct);

        during.Blobs.ShouldBe(0);
        after.Blobs.ShouldBe(1);
        File.Exists(BlobPath(file)).ShouldBeFalse();
    }

    [Fact]
    public async Task Sweep_SparesAnUnregisteredBlob_WithinTheGracePeriod()
    {
        var bytes = RandomNumberGenerator.GetBytes(64);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = Path.Combine(_folder.Path, hash);
        await File.WriteAllBytesAsync(path, bytes, Ct);
        File.SetLastWriteTimeUtc(path, _clock.GetUtcNow().UtcDateTime);

        var fresh = await _sweeper.SweepOnceAsync(Ct);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var old = await _sweeper.SweepOnceAsync(Ct);

        fresh.Blobs.ShouldBe(0);
        old.Blobs.ShouldBe(1);
    }

    [Fact]
    public async Task Sweep_LeavesForeignFilesAndLiveBlobsAlone()
    {
        var live = await SaveAsync("c1", DownloadLimits.Default);
        var foreign = Path.Combine(_folder.Path, "README.txt");
        await File.WriteAllTextAsync(foreign, "not a blob", Ct);
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddDays(-10));
        _clock.Advance(TimeSpan.FromDays(1));

        var result = await _sweeper.SweepOnceAsync(Ct);

        result.Blobs.ShouldBe(0);
        File.Exists(foreign).ShouldBeTrue();
        File.Exists(BlobPath(live)).ShouldBeTrue();
    }

    [Fact]
    public async Task Sweep_DeletesExhaustedFiles_AfterTheLastDownload()
    {
        var file = await SaveAsync("c1", new DownloadLimits(MaxDownloads: 1));
        await using (var download = await _files.OpenDownloadAsync(file.Key, Ct))
        {
            download.ShouldNotBeNull();
        }

        _clock.Advance(TimeSpan.FromMinutes(5));

        var result = await _sweeper.SweepOnceAsync(Ct);

        result.Rows.ShouldBe(1);
        result.Blobs.ShouldBe(1);
    }

    [Fact]
    public async Task Adopt_RefusesARetiredBlob_UntilTheSweepDeletedIt()
    {
        var bytes = RandomNumberGenerator.GetBytes(128);
        var file = await SaveAsync("c1", new DownloadLimits(MaxDownloads: 1), bytes);
        await using (var download = await _files.OpenDownloadAsync(file.Key, Ct))
        {
            download.ShouldNotBeNull();
        }

        var rowsGone = await _sweeper.SweepOnceAsync(Ct);
        var adoptedWithinGrace = await _files.AdoptUnregisteredAsync(file.Hash, NewFile("default"), Ct);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var blobGone = await _sweeper.SweepOnceAsync(Ct);
        await File.WriteAllBytesAsync(BlobPath(file), bytes, Ct);
        await using var copiedInAgain = await _files.AdoptUnregisteredAsync(file.Hash, NewFile("default"), Ct);

        rowsGone.Rows.ShouldBe(1);
        rowsGone.Blobs.ShouldBe(0, "the blob waits out its orphan grace");
        adoptedWithinGrace.ShouldBeNull("a blob the service retired must not come back through adoption");
        blobGone.Blobs.ShouldBe(1);
        (await _metadata.ListRetiredAsync(Ct)).ShouldBeEmpty("the retirement is forgotten with the blob");
        copiedInAgain.ShouldNotBeNull("a co-located client copying the bytes in afresh may have them adopted");
    }

    public async ValueTask DisposeAsync()
    {
        await _metadata.DisposeAsync();
        _folder.Dispose();
    }

    private static NewFile NewFile(string chat) => new(chat, "x.txt", "text/plain", DownloadLimits.Default);

    private string BlobPath(FileRecord file) => Path.Combine(_folder.Path, file.Hash);

    private async Task<FileRecord> SaveAsync(string chat, DownloadLimits limits, byte[]? bytes = null)
    {
        await using var staged = await _files.StageAsync(new MemoryStream(bytes ?? RandomNumberGenerator.GetBytes(128)), long.MaxValue, Ct);
        return await _files.SaveAsync(staged, new NewFile(chat, "data.bin", "application/octet-stream", limits), Ct);
    }
}
