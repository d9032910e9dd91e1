namespace Interpreter.Executor.Execution;

/// <summary>
/// A file to place in the sandbox at <paramref name="Path"/>: <paramref name="Size"/> bytes that
/// <paramref name="Open"/> yields as a stream, opened only when it is sent and disposed after.
/// </summary>
public sealed record ExecutionInputFile(string Path, long Size, Func<Stream> Open);
