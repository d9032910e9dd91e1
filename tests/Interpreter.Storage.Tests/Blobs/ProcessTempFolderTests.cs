using Interpreter.Storage.Blobs;
using Interpreter.Storage.Tests.Infrastructure;
using Shouldly;

namespace Interpreter.Storage.Tests.Blobs;

public sealed class ProcessTempFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Temp => Path.Combine(_folder.Path, "tmp");

    [Fact]
    public void DeleteAbandoned_RemovesAFolderWhoseLockNoOneHolds_AndKeepsAHeldOne()
    {
        using var live = ProcessTempFolder.Create(Temp);
        File.WriteAllBytes(Path.Combine(live.Path, "upload.part"), new byte[10]);
        var dead = Path.Combine(Temp, ProcessTempFolder.Prefix + "dead");
        Directory.CreateDirectory(dead);
        File.WriteAllBytes(Path.Combine(dead, "lock"), []);
        File.WriteAllBytes(Path.Combine(dead, "left.part"), new byte[10]);

        var deleted = ProcessTempFolder.DeleteAbandoned(Temp, DateTimeOffset.UtcNow);

        deleted.ShouldBe(1);
        Directory.Exists(dead).ShouldBeFalse();
        File.Exists(Path.Combine(live.Path, "upload.part")).ShouldBeTrue("a held folder is a live process's");
    }

    [Fact]
    public void DeleteAbandoned_LeavesLooseFilesAndYoungInitFolders_WhenTheyAreNotPerProcessFolders()
    {
        Directory.CreateDirectory(Temp);
        File.WriteAllBytes(Path.Combine(Temp, "old-layout.part"), new byte[10]);
        Directory.CreateDirectory(Path.Combine(Temp, ".init-young"));

        ProcessTempFolder.DeleteAbandoned(Temp, DateTimeOffset.UtcNow);

        File.Exists(Path.Combine(Temp, "old-layout.part")).ShouldBeTrue("loose files keep the age rule of the sweeper");
        Directory.Exists(Path.Combine(Temp, ".init-young")).ShouldBeTrue();
    }

    [Fact]
    public void DeleteAbandoned_KeepsTheCallersOwnFolder_WhenNamedAsOwn()
    {
        using var own = ProcessTempFolder.Create(Temp);

        ProcessTempFolder.DeleteAbandoned(Temp, DateTimeOffset.UtcNow, own.Path);

        own.LocksHold.ShouldBeTrue("flock works on this file system");
        Directory.Exists(own.Path).ShouldBeTrue();
    }

    [Fact]
    public void Dispose_RemovesTheFolder_WhenTheProcessStopsCleanly()
    {
        var folder = ProcessTempFolder.Create(Temp);

        folder.Dispose();

        Directory.Exists(folder.Path).ShouldBeFalse();
    }

    public void Dispose() => _folder.Dispose();
}
