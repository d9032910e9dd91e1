namespace Interpreter.Executor.Agent;

/// <summary>
/// A file in the sandbox: absolute path, size and SHA-256 (lowercase hex). An empty <see cref="Sha256"/> means the
/// agent did not read the file: it is larger than the sandbox's /workspace can hold (sparse) or past what it can
/// hold in total, so it is never collected.
/// </summary>
public sealed record AgentFileInfo(string Path, long Size, string Sha256)
{
    /// <summary>True when the agent read and hashed the file.</summary>
    public bool IsHashed => Sha256.Length > 0;
}
