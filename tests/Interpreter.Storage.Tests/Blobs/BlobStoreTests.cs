using System.Security.Cryptography;
using Interpreter.Storage.Blobs;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace Interpreter.Storage.Tests.Blobs;

public sealed class BlobStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly BlobLeases _leases = new();
    private readonly BlobStore _store;

    public BlobStoreTests()
    {
        _store = new BlobStore(new StorageLayout(_folder.Path), _leases, TimeProvider.System, NullLogger<BlobStore>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commit_StoresBytesAtExactlyRootSlashHash_WhenNew()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));

        await using var staged = await _store.StageAsync(new MemoryStream(bytes), long.MaxValue, Ct);
        using var lease = await _store.CommitAsync(staged, Ct);

        staged.Hash.ShouldBe(hash);
        staged.Size.ShouldBe(bytes.Length);
        (await File.ReadAllBytesAsync(Path.Combine(_folder.Path, hash), Ct)).ShouldBe(bytes);
        Directory.GetFiles(_folder.Path).Select(Path.GetFileName).ShouldBe([hash]);
        Directory.GetFiles(Path.Combine(_folder.Path, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Commit_KeepsOneBlob_WhenSameBytesStoredTwice()
    {
        var bytes = RandomNumberGenerator.GetBytes(1000);

        await using var first = await _store.StageAsync(new MemoryStream(bytes), long.MaxValue, Ct);
        using (await _store.CommitAsync(first, Ct))
        {
        }

        await using var second = await _store.StageAsync(new MemoryStream(bytes), long.MaxValue, Ct);
        using (await _store.CommitAsync(second, Ct))
        {
        }

        Directory.GetFiles(_folder.Path).Length.ShouldBe(1);
        Directory.GetFiles(Path.Combine(_folder.Path, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Commit_StoresOnceWithoutError_WhenManyWritersRaceWithTheSameBytes()
    {
        // The window between "is it there?" and the move is short: race many rounds to hit it.
        for (var round = 0; round < 40; round++)
        {
            var bytes = RandomNumberGenerator.GetBytes(4096);
            var staged = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.StageAsync(new MemoryStream(bytes), long.MaxValue, Ct)));
            using var start = new Barrier(staged.Length);

            var leases = await Task.WhenAll(staged.Select(s => Task.Run(() =>
            {
                start.SignalAndWait(Ct);
                return _store.CommitAsync(s, Ct);
            }, Ct)));

            (await File.ReadAllBytesAsync(Path.Combine(_folder.Path, staged[0].Hash), Ct)).ShouldBe(bytes);
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }

        Directory.GetFiles(_folder.Path).Length.ShouldBe(40);
        Directory.GetFiles(Path.Combine(_folder.Path, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Stage_ThrowsAndKeepsNothing_WhenOverTheLimit()
    {
        var bytes = new byte[10_001];

        await Should.ThrowAsync<FileTooLargeException>(() => _store.StageAsync(new MemoryStream(bytes), 10_000, Ct));

        Directory.GetFiles(Path.Combine(_folder.Path, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
        Directory.GetFiles(_folder.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task DisposeStaged_DeletesTheTemporaryFile_WhenNeverCommitted()
    {
        var staged = await _store.StageAsync(new MemoryStream([1, 2, 3]), long.MaxValue, Ct);

        await staged.DisposeAsync();

        Directory.GetFiles(Path.Combine(_folder.Path, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
        Directory.GetFiles(_folder.Path).ShouldBeEmpty();
    }

    [Fact]
    public async Task Verify_ReturnsFalse_WhenBytesDoNotMatchTheName()
    {
        var good = RandomNumberGenerator.GetBytes(100);
        var goodHash = Convert.ToHexStringLower(SHA256.HashData(good));
        var wrongHash = new string('c', 64);
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, goodHash), good, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_folder.Path, wrongHash), good, Ct);

        (await _store.VerifyAsync(goodHash, Ct)).ShouldBeTrue();
        (await _store.VerifyAsync(wrongHash, Ct)).ShouldBeFalse();
        (await _store.VerifyAsync(new string('d', 64), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task TryDelete_SparesTheBlob_WhileLeased()
    {
        var hash = await WriteBlobAsync();
        var lease = await _store.LeaseAsync(hash, Ct);

        var whileLeased = await _store.TryDeleteAsync(hash, DateTimeOffset.MaxValue, _ => Task.FromResult(false), Ct);
        lease!.Dispose();
        var afterwards = await _store.TryDeleteAsync(hash, DateTimeOffset.MaxValue, _ => Task.FromResult(false), Ct);

        whileLeased.ShouldBeFalse();
        afterwards.ShouldBeTrue();
        File.Exists(Path.Combine(_folder.Path, hash)).ShouldBeFalse();
    }

    [Fact]
    public async Task TryDelete_SparesTheBlob_WhenReferencedOrRecent()
    {
        var hash = await WriteBlobAsync();

        var referenced = await _store.TryDeleteAsync(hash, DateTimeOffset.MaxValue, _ => Task.FromResult(true), Ct);
        var recent = await _store.TryDeleteAsync(hash, DateTimeOffset.UtcNow.AddHours(-1), _ => Task.FromResult(false), Ct);

        referenced.ShouldBeFalse();
        recent.ShouldBeFalse();
        File.Exists(Path.Combine(_folder.Path, hash)).ShouldBeTrue();
    }

    [Fact]
    public async Task Lease_WaitsForADeletionInProgress_AndThenFindsTheBlobGone()
    {
        var hash = await WriteBlobAsync();
        var checking = new TaskCompletionSource();
        var proceed = new TaskCompletionSource<bool>();

        var deletion = _store.TryDeleteAsync(hash, DateTimeOffset.MaxValue, async _ =>
        {
            checking.SetResult();
            return await proceed.Task;
        }, Ct);
        await checking.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var lease = _store.LeaseAsync(hash, Ct);
        var leaseFinishedEarly = lease.IsCompleted;
        proceed.SetResult(false);

        (await deletion).ShouldBeTrue();
        leaseFinishedEarly.ShouldBeFalse();
        (await lease).ShouldBeNull();
    }

    [Fact]
    public async Task Enumerate_ListsOnlyHashNamedFiles_WhenOtherFilesLieAround()
    {
        var hash = await WriteBlobAsync();
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "notes.txt"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, hash.ToUpperInvariant()), "x", Ct);

        var blobs = _store.Enumerate().Select(b => b.Hash).ToArray();

        blobs.ShouldBe([hash]);
    }

    public void Dispose() => _folder.Dispose();

    private async Task<string> WriteBlobAsync()
    {
        await using var staged = await _store.StageAsync(new MemoryStream(RandomNumberGenerator.GetBytes(64)), long.MaxValue, Ct);
        using var lease = await _store.CommitAsync(staged, Ct);
        return staged.Hash;
    }
}
