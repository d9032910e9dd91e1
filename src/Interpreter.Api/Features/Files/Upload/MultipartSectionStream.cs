namespace Interpreter.Api.Features.Files.Upload;

/// <summary>
/// A read-only view of one multipart section that turns the multipart reader's "unexpected end of stream" (the body
/// ended before the closing boundary) into <see cref="InvalidDataException"/>, a malformed form, so the code that
/// copies it to disk can tell a client's truncated body from its own failing writes.
/// </summary>
internal sealed class MultipartSectionStream(Stream section) : Stream
{
    public const string CutShortMessage = "the body ended before the form's closing boundary.";

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// True for a plain read failure of the request (the multipart reader found no more bytes, or the connection went);
    /// Kestrel's own body errors (413, 408, bad framing) keep their status and are not this.
    /// </summary>
    public static bool IsCutShort(IOException e) => e is not BadHttpRequestException;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await section.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (IsCutShort(e))
        {
            throw new InvalidDataException(CutShortMessage, e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Uploads are read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
