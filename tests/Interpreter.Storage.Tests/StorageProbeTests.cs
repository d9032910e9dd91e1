using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class StorageProbeTests
{
    [Fact]
    public async Task IsWritable_ReturnsTrueAndLeavesNoBlob_WhenFolderWritable()
    {
        var folder = Path.Combine(Path.GetTempPath(), "probe-" + Guid.NewGuid().ToString("N"));
        var probe = new StorageProbe(Options.Create(new StorageOptions { FileStoragePath = folder }));

        var writable = await probe.IsWritableAsync(TestContext.Current.CancellationToken);

        writable.ShouldBeTrue();
        Directory.GetFiles(folder).ShouldBeEmpty();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task IsWritable_ReturnsFalse_WhenPathIsAFile()
    {
        var file = Path.GetTempFileName();
        var probe = new StorageProbe(Options.Create(new StorageOptions { FileStoragePath = file }));

        var writable = await probe.IsWritableAsync(TestContext.Current.CancellationToken);

        writable.ShouldBeFalse();
        File.Delete(file);
    }
}
