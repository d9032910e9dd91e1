namespace Interpreter.Executor.Execution;

/// <summary>
/// A file the execution created or changed: absolute path, size and SHA-256 (lowercase hex). An empty
/// <see cref="Sha256"/> means the sandbox did not read the file: it is larger than the sandbox's /workspace can hold
/// (sparse) or past what it can hold in total, so it is never collected.
/// </summary>
public sealed record OutputFile(string Path, long Size, string Sha256)
{
    /// <summary>True when the sandbox read and hashed the file.</summary>
    public bool IsHashed => Sha256.Length > 0;
}
