using System.Net;
using System.Security.Cryptography;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// An upload body of any length made on the fly from one random block, hashed as it is sent, so a test can
/// send a gigabyte without holding it.
/// </summary>
internal sealed class GeneratedContent(long length) : HttpContent
{
    private readonly byte[] _block = RandomNumberGenerator.GetBytes(1 << 20);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>SHA-256 of what was sent, once sent (the content may be disposed by then).</summary>
    public string Sha256 { get; private set; } = "";

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Vary each block a little so the content is not one block repeated.
        for (long sent = 0, n = 0; sent < length; n++)
        {
            var count = (int)Math.Min(_block.Length, length - sent);
            BitConverter.TryWriteBytes(_block, n);
            _sha256.AppendData(_block, 0, count);
            await stream.WriteAsync(_block.AsMemory(0, count), cancellationToken);
            sent += count;
        }

        Sha256 = Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
