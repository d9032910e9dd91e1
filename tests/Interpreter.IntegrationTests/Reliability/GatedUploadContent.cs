using System.Net;
using System.Security.Cryptography;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// A file body of <paramref name="totalBytes"/> (a random 1 MiB block repeated) that sends its first
/// <paramref name="gateAfterBytes"/> and then waits for <see cref="Release"/>: an upload held in flight for as long
/// as a test needs, without a length, so it goes out chunked as a slow client's would.
/// </summary>
internal sealed class GatedUploadContent(long totalBytes, long gateAfterBytes) : HttpContent
{
    private const int BlockSize = 1 << 20;

    private readonly byte[] _block = RandomNumberGenerator.GetBytes(BlockSize);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>SHA-256 of the whole body.</summary>
    public string Hash
    {
        get
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (long sent = 0; sent < totalBytes; sent += BlockSize)
            {
                sha.AppendData(_block, 0, (int)Math.Min(BlockSize, totalBytes - sent));
            }

            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
    }

    public void Release() => _gate.TrySetResult();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        for (long sent = 0; sent < totalBytes; sent += BlockSize)
        {
            if (sent >= gateAfterBytes)
            {
                await _gate.Task.WaitAsync(cancellationToken);
            }

            await stream.WriteAsync(_block.AsMemory(0, (int)Math.Min(BlockSize, totalBytes - sent)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
