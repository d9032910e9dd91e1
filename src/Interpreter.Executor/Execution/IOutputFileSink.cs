namespace Interpreter.Executor.Execution;

/// <summary>Takes the files an execution created or changed, one at a time, as streams from the sandbox.</summary>
public interface IOutputFileSink
{
    /// <summary>
    /// Consumes <paramref name="content"/> of <paramref name="file"/> (as the sandbox listed it) before returning;
    /// the stream is disposed afterwards. It yields at most <see cref="OutputFile.Size"/> bytes (the executor
    /// hands over only files within the request's output bounds, announced at exactly their listed size), and
    /// <paramref name="ct"/> fires at the execution's deadline.
    /// </summary>
    Task AcceptAsync(OutputFile file, Stream content, CancellationToken ct);
}
