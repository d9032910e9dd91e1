using System.Diagnostics.Metrics;
using Interpreter.Storage.Blobs;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class StorageMetricsTests
{
    [Fact]
    public async Task Commit_CountsNewBlobsBytesAndDuplicates_WhenSameBytesStoredTwice()
    {
        using var services = new ServiceCollection().AddMetrics().AddSingleton<StorageMetrics>().BuildServiceProvider();
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value);
        listener.Start();
        using var folder = new TempFolder();
        var store = new BlobStore(new StorageLayout(folder.Path), new BlobLeases(), TimeProvider.System,
            NullLogger<BlobStore>.Instance, services.GetRequiredService<StorageMetrics>());
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 2; i++)
        {
            await using var staged = await store.StageAsync(new MemoryStream(new byte[1000]), long.MaxValue, ct);
            using var lease = await store.CommitAsync(staged, ct);
        }

        measured["computesandbox.files.stored"].ShouldBe(1);
        measured["computesandbox.files.stored.bytes"].ShouldBe(1000);
        measured["computesandbox.files.deduplicated"].ShouldBe(1);
    }
}
