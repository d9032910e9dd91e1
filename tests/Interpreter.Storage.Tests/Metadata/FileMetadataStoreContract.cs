using Interpreter.Storage.Metadata;
using Interpreter.Storage.Tests.Infrastructure;
using Shouldly;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>
/// What every <see cref="IFileMetadataStore"/> promises; run against LiteDB and against a real PostgreSQL server
/// (in a Testcontainers container) by the derived classes.
/// </summary>
public abstract class FileMetadataStoreContract : IAsyncDisposable
{
    private protected const string HashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string HashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly List<IFileMetadataStore> _stores = [];

    private protected ManualTimeProvider Clock { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Register_ReturnsTheRecord_WhenNew()
    {
        var store = await StoreAsync();
        var file = Record("c1", HashA, "data.csv", remaining: 3, expiresIn: TimeSpan.FromHours(1));

        var stored = await store.RegisterAsync(file, Ct);

        stored.ShouldBe(file);
    }

    [Fact]
    public async Task Register_ReplacesLimits_WhenSameKeyRegisteredAgain()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 1), Ct);

        var again = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 5), Ct);

        again.RemainingDownloads.ShouldBe(5);
        (await store.ConsumeDownloadAsync(again.Key, Ct))!.RemainingDownloads.ShouldBe(4);
    }

    [Fact]
    public async Task FindLive_SeesOnlyTheOwningChat_WhenTwoChatsHoldTheSameBytes()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "one.csv"), Ct);

        var own = await store.FindLiveAsync("c1", HashA, Ct);
        var other = await store.FindLiveAsync("c2", HashA, Ct);

        own.ShouldNotBeNull();
        own.Filename.ShouldBe("one.csv");
        other.ShouldBeNull();
    }

    [Fact]
    public async Task FindLive_ReturnsNull_WhenExpiredOrExhausted()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "soon.csv", expiresIn: TimeSpan.FromSeconds(10)), Ct);
        var once = await store.RegisterAsync(Record("c1", HashB, "once.csv", remaining: 1), Ct);
        await store.ConsumeDownloadAsync(once.Key, Ct);

        Clock.Advance(TimeSpan.FromSeconds(10));

        (await store.FindLiveAsync("c1", HashA, Ct)).ShouldBeNull();
        (await store.FindLiveAsync("c1", HashB, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task ConsumeDownload_AllowsExactlyTheLimit_WhenLimitIsTwo()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 2), Ct);

        var first = await store.ConsumeDownloadAsync(file.Key, Ct);
        var second = await store.ConsumeDownloadAsync(file.Key, Ct);
        var third = await store.ConsumeDownloadAsync(file.Key, Ct);

        first!.RemainingDownloads.ShouldBe(1);
        second!.RemainingDownloads.ShouldBe(0);
        third.ShouldBeNull();
    }

    [Fact]
    public async Task ConsumeDownload_StaysUnlimited_WhenNoLimit()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: null), Ct);

        for (var i = 0; i < 5; i++)
        {
            (await store.ConsumeDownloadAsync(file.Key, Ct))!.RemainingDownloads.ShouldBeNull();
        }
    }

    [Fact]
    public async Task ConsumeDownload_ReturnsNull_WhenOtherChatFilenameOrExpired()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", expiresIn: TimeSpan.FromMinutes(1)), Ct);

        var otherChat = await store.ConsumeDownloadAsync(file.Key with { ChatId = "c2" }, Ct);
        var otherName = await store.ConsumeDownloadAsync(file.Key with { Filename = "other.csv" }, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var expired = await store.ConsumeDownloadAsync(file.Key, Ct);

        otherChat.ShouldBeNull();
        otherName.ShouldBeNull();
        expired.ShouldBeNull();
    }

    [Fact]
    public async Task ConsumeDownload_GrantsExactlyOne_When50RaceForTheLastDownload()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 1), Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => store.ConsumeDownloadAsync(file.Key, Ct), Ct)));

        results.Count(r => r is not null).ShouldBe(1);
    }

    [Fact]
    public async Task Expire_EndsALiveFile_WhenCalled()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv"), Ct);

        var expired = await store.ExpireAsync(file.Key, Ct);

        expired.ShouldBeTrue();
        (await store.ConsumeDownloadAsync(file.Key, Ct)).ShouldBeNull();
        (await store.ExpireAsync(file.Key, Ct)).ShouldBeFalse();
        (await store.ExpireAsync(file.Key with { ChatId = "c2" }, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task IsRegistered_SeesAnyChatsRow_WhenHashKnown()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "data.csv"), Ct);

        (await store.IsRegisteredAsync(HashA, Ct)).ShouldBeTrue();
        (await store.IsRegisteredAsync(HashB, Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task DeleteExpired_RemovesExpiredAndExhaustedRows_AndKeepsLiveOnes()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "expiring.csv", expiresIn: TimeSpan.FromSeconds(5)), Ct);
        var once = await store.RegisterAsync(Record("c1", HashB, "once.csv", remaining: 1), Ct);
        await store.RegisterAsync(Record("c2", HashB, "kept.csv"), Ct);
        await store.ConsumeDownloadAsync(once.Key, Ct);
        Clock.Advance(TimeSpan.FromSeconds(6));

        var deleted = await store.DeleteExpiredAsync(Ct);

        deleted.ShouldBe(2);
        (await store.IsRegisteredAsync(HashA, Ct)).ShouldBeFalse();
        (await store.FindLiveAsync("c2", HashB, Ct)).ShouldNotBeNull();
        (await store.FindReferencedAsync([HashA, HashB], Ct)).ShouldBe([HashB]);
    }

    [Fact]
    public async Task WasEverNamed_StaysTrue_WhenTheSweepDeletedTheExhaustedOrExpiredRow()
    {
        var store = await StoreAsync();
        var once = await store.RegisterAsync(Record("c1", HashA, "once.csv", remaining: 1), Ct);
        var expiring = await store.RegisterAsync(Record("c1", HashB, "expiring.csv"), Ct);
        await store.ConsumeDownloadAsync(once.Key, Ct);
        await store.ExpireAsync(expiring.Key, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));

        var deleted = await store.DeleteExpiredAsync(Ct);

        deleted.ShouldBe(2);
        (await store.IsRegisteredAsync(HashA, Ct)).ShouldBeFalse();
        (await store.WasEverNamedAsync(HashA, Ct)).ShouldBeTrue("an exhausted file's blob must not become adoptable");
        (await store.WasEverNamedAsync(HashB, Ct)).ShouldBeTrue("an expired file's blob must not become adoptable");
        (await store.ListRetiredAsync(Ct)).Order(StringComparer.Ordinal).ShouldBe([HashA, HashB]);
        (await store.FindReferencedAsync([HashA, HashB], Ct)).ShouldBeEmpty("retired blobs are still the sweeper's to delete");
    }

    [Fact]
    public async Task WasEverNamed_IsFalse_WhenNoRowEverNamedTheHash_OrItsRetirementWasForgotten()
    {
        var store = await StoreAsync();
        await store.SaveWorkspaceAsync("c1", new Dictionary<string, string> { ["/workspace/a"] = HashB },
            Clock.GetUtcNow().AddSeconds(1), Ct);
        var never = await store.WasEverNamedAsync(HashA, Ct);
        var inWorkspace = await store.WasEverNamedAsync(HashB, Ct);
        Clock.Advance(TimeSpan.FromSeconds(2));
        await store.DeleteExpiredAsync(Ct);
        var retiredFromWorkspace = await store.WasEverNamedAsync(HashB, Ct);

        await store.ForgetRetiredAsync([HashB], Ct);

        never.ShouldBeFalse();
        inWorkspace.ShouldBeTrue();
        retiredFromWorkspace.ShouldBeTrue();
        (await store.WasEverNamedAsync(HashB, Ct)).ShouldBeFalse("the blob is gone: a later copy of the bytes may be adopted");
        (await store.ListRetiredAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Retired_SurvivesReopening_WhenRecordedBeforeARestart()
    {
        var store = await StoreAsync();
        var once = await store.RegisterAsync(Record("c1", HashA, "once.csv", remaining: 1), Ct);
        await store.ConsumeDownloadAsync(once.Key, Ct);
        await store.DeleteExpiredAsync(Ct);

        var reopened = await ReopenAsync();

        (await reopened.WasEverNamedAsync(HashA, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task ChatUsage_CountsLiveFilesOtherThanTheKey_WhenSomeExpired()
    {
        var store = await StoreAsync();
        await store.RegisterAsync(Record("c1", HashA, "a.csv") with { Size = 100 }, Ct);
        await store.RegisterAsync(Record("c1", HashB, "b.csv") with { Size = 30 }, Ct);
        await store.RegisterAsync(Record("c1", HashB, "gone.csv", expiresIn: TimeSpan.FromSeconds(1)) with { Size = 7 }, Ct);
        await store.RegisterAsync(Record("c2", HashA, "other.csv") with { Size = 1000 }, Ct);
        Clock.Advance(TimeSpan.FromSeconds(2));

        var all = await store.GetChatUsageAsync(new FileKey("c1", HashA, "new.csv"), Ct);
        var replacing = await store.GetChatUsageAsync(new FileKey("c1", HashA, "a.csv"), Ct);
        var empty = await store.GetChatUsageAsync(new FileKey("c3", HashA, "a.csv"), Ct);

        all.ShouldBe(new ChatUsage(130, 2));
        replacing.ShouldBe(new ChatUsage(30, 1), "re-registering a key replaces it, so it does not count");
        empty.ShouldBe(new ChatUsage(0, 0));
    }

    [Fact]
    public async Task StoredBytes_CountsEachHashOnce_WhenSeveralRowsNameIt()
    {
        var store = await StoreAsync();
        var none = await store.GetStoredBytesAsync(Ct);
        await store.RegisterAsync(Record("c1", HashA, "a.csv") with { Size = 100 }, Ct);
        await store.RegisterAsync(Record("c2", HashA, "a.csv") with { Size = 100 }, Ct);
        await store.RegisterAsync(Record("c1", HashB, "b.csv") with { Size = 30 }, Ct);

        var stored = await store.GetStoredBytesAsync(Ct);

        none.ShouldBe(0);
        stored.ShouldBe(130);
    }

    [Fact]
    public async Task Workspace_IsPerChat_AndReplacedWhole()
    {
        var store = await StoreAsync();
        await store.SaveWorkspaceAsync("c1", new Dictionary<string, string> { ["/workspace/a"] = HashA, ["/workspace/b"] = HashB }, null, Ct);
        await store.SaveWorkspaceAsync("c1", new Dictionary<string, string> { ["/workspace/a"] = HashB }, null, Ct);

        var c1 = await store.GetWorkspaceAsync("c1", Ct);
        var c2 = await store.GetWorkspaceAsync("c2", Ct);

        c1.ShouldBe(new Dictionary<string, string> { ["/workspace/a"] = HashB });
        c2.ShouldBeEmpty();
    }

    [Fact]
    public async Task Workspace_ExpiresAndStopsReferencingBlobs_WhenItsTimeComes()
    {
        var store = await StoreAsync();
        await store.SaveWorkspaceAsync("c1", new Dictionary<string, string> { ["/workspace/a"] = HashA },
            Clock.GetUtcNow().AddMinutes(1), Ct);
        (await store.FindReferencedAsync([HashA], Ct)).ShouldBe([HashA]);

        Clock.Advance(TimeSpan.FromMinutes(2));
        var visible = await store.GetWorkspaceAsync("c1", Ct);
        await store.DeleteExpiredAsync(Ct);

        visible.ShouldBeEmpty();
        (await store.FindReferencedAsync([HashA], Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task FindReferenced_HandlesManyHashes_WhenMoreThanOneBatch()
    {
        var store = await StoreAsync();
        var hashes = Enumerable.Range(0, 1200).Select(i => i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await store.RegisterAsync(Record("c1", hashes[1100], "x"), Ct);

        var referenced = await store.FindReferencedAsync(hashes, Ct);

        referenced.ShouldBe([hashes[1100]]);
    }

    [Fact]
    public async Task Store_KeepsRowsAndWorkspaces_WhenReopened()
    {
        var store = await StoreAsync();
        var file = await store.RegisterAsync(Record("c1", HashA, "data.csv", remaining: 3), Ct);
        await store.SaveWorkspaceAsync("c1", new Dictionary<string, string> { ["/workspace/a"] = HashA }, null, Ct);

        var reopened = await ReopenAsync();

        (await reopened.ConsumeDownloadAsync(file.Key, Ct))!.RemainingDownloads.ShouldBe(2);
        (await reopened.GetWorkspaceAsync("c1", Ct)).Keys.ShouldContain("/workspace/a");
    }

    [Fact]
    public async Task Ping_ReturnsTrue_WhenDatabaseAnswers()
    {
        var store = await StoreAsync();

        (await store.PingAsync(Ct)).ShouldBeTrue();
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await ((IAsyncDisposable)store).DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A new store over a fresh, empty database.</summary>
    private protected abstract Task<IFileMetadataStore> CreateStoreAsync();

    /// <summary>A second store over the same database as the first.</summary>
    private protected abstract IFileMetadataStore OpenAgain();

    private protected async Task<IFileMetadataStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        await store.InitializeAsync(Ct);
        return store;
    }

    /// <summary>A restart: the stores open so far are closed (an embedded database has one owner), then one is opened again.</summary>
    private protected async Task<IFileMetadataStore> ReopenAsync()
    {
        foreach (var open in _stores)
        {
            await ((IAsyncDisposable)open).DisposeAsync();
        }

        var store = OpenAgain();
        _stores.Add(store);
        await store.InitializeAsync(Ct);
        return store;
    }

    private protected FileRecord Record(string chat, string hash, string name, long? remaining = null, TimeSpan? expiresIn = null)
    {
        var now = Clock.GetUtcNow();
        return new FileRecord(chat, hash, name, 42, "text/csv", remaining, now + expiresIn, now);
    }
}
