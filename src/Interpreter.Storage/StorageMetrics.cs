using System.Diagnostics.Metrics;

namespace Interpreter.Storage;

/// <summary>The storage's instruments on the <c>ComputeSandbox.Storage</c> meter.</summary>
public sealed class StorageMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "ComputeSandbox.Storage";

    private readonly Counter<long> _blobsStored;
    private readonly Counter<long> _bytesStored;
    private readonly Counter<long> _blobsDeduplicated;
    private readonly Counter<long> _blobsDeleted;
    private readonly Counter<long> _rowsDeleted;

    /// <summary>Creates the instruments.</summary>
    public StorageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _blobsStored = meter.CreateCounter<long>("computesandbox.files.stored", null, "New blobs written to the storage folder.");
        _bytesStored = meter.CreateCounter<long>("computesandbox.files.stored.bytes", "By", "Bytes of new blobs written.");
        _blobsDeduplicated = meter.CreateCounter<long>("computesandbox.files.deduplicated", null,
            "Files whose bytes were stored already, so no new blob was written.");
        _blobsDeleted = meter.CreateCounter<long>("computesandbox.files.swept", null, "Blobs the sweeper deleted.");
        _rowsDeleted = meter.CreateCounter<long>("computesandbox.files.metadata.swept", null,
            "Expired or exhausted metadata rows the sweeper deleted.");
    }

    internal void Stored(long bytes)
    {
        _blobsStored.Add(1);
        _bytesStored.Add(bytes);
    }

    internal void Deduplicated() => _blobsDeduplicated.Add(1);

    internal void Swept(int rows, int blobs)
    {
        _rowsDeleted.Add(rows);
        _blobsDeleted.Add(blobs);
    }
}
