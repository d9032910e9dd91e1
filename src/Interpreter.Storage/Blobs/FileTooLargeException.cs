namespace Interpreter.Storage.Blobs;

/// <summary>Content went over the size limit it was written with; nothing of it was kept.</summary>
public sealed class FileTooLargeException(long limitBytes)
    : Exception($"The file is larger than the limit of {limitBytes} bytes.")
{
    /// <summary>The limit that was exceeded, in bytes.</summary>
    public long LimitBytes { get; } = limitBytes;
}
