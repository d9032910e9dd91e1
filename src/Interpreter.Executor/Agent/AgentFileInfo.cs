namespace Interpreter.Executor.Agent;

/// <summary>A file in the sandbox: absolute path, size and SHA-256 (lowercase hex).</summary>
public sealed record AgentFileInfo(string Path, long Size, string Sha256);
