using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Tests.Infrastructure;
using Shouldly;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>Two real processes on one storage folder's LiteDB database: one owns it, the other waits, then fails naming why.</summary>
public sealed class LiteDbOwnershipTests : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_folder.Path, ".internal", "metadata.litedb");

    [Fact]
    public async Task Open_FailsNamingTheOwner_WhenAnotherProcessHoldsTheDatabaseLongerThanTheWait()
    {
        await using var owner = HostProcess.Start("hold", DatabasePath);
        await owner.WaitForLineAsync(l => l == "ready", Slow, Ct);
        var started = DateTimeOffset.UtcNow;

        await using var second = HostProcess.Start("open", DatabasePath, "2");
        var exit = await second.WaitForExitAsync(Slow, Ct);

        exit.ShouldBe(3);
        (DateTimeOffset.UtcNow - started).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2), "it waits for the owner first");
        second.Stderr.ShouldContain("in use by another process");
        second.Stderr.ShouldContain("APP_METADATA_OWNER_WAIT_SECONDS");
        second.Stderr.ShouldContain(DatabasePath);
    }

    [Fact]
    public async Task Open_Succeeds_WhenTheOwnerExitsWithinTheWait()
    {
        await using var owner = HostProcess.Start("hold", DatabasePath);
        await owner.WaitForLineAsync(l => l == "ready", Slow, Ct);

        await using var second = HostProcess.Start("open", DatabasePath, "30");
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        owner.CloseInput();
        var exit = await second.WaitForExitAsync(Slow, Ct);

        exit.ShouldBe(0, second.Stderr);
        (await owner.WaitForExitAsync(Slow, Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Open_Succeeds_WhenTheOwnerWasKilled()
    {
        await using var owner = HostProcess.Start("hold", DatabasePath);
        await owner.WaitForLineAsync(l => l == "ready", Slow, Ct);
        await owner.KillHardAsync();

        await using var store = new LiteDbFileMetadataStore(DatabasePath, TimeProvider.System, TimeSpan.FromSeconds(5));
        await store.InitializeAsync(Ct);

        (await store.PingAsync(Ct)).ShouldBeTrue("the kernel releases a killed owner's lock");
    }

    [Fact]
    public async Task Store_KeepsEveryAcknowledgedRow_WhenTheWriterIsKilled()
    {
        await using var writer = HostProcess.Start("register", DatabasePath);
        var last = await writer.WaitForLineAsync(l => l.StartsWith("ok ", StringComparison.Ordinal) && int.Parse(l[3..], System.Globalization.CultureInfo.InvariantCulture) >= 300, Slow, Ct);
        await writer.KillHardAsync();
        var acknowledged = int.Parse(last[3..], System.Globalization.CultureInfo.InvariantCulture);

        await using var store = new LiteDbFileMetadataStore(DatabasePath, TimeProvider.System, TimeSpan.FromSeconds(5));
        var missing = new List<int>();
        for (var i = 0; i <= acknowledged; i++)
        {
            if (!await store.IsRegisteredAsync(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), Ct))
            {
                missing.Add(i);
            }
        }

        missing.ShouldBeEmpty($"every row acknowledged before kill -9 (0..{acknowledged} at least) is in the database");
    }

    public void Dispose() => _folder.Dispose();
}
