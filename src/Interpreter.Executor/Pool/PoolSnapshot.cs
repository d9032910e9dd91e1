namespace Interpreter.Executor.Pool;

/// <summary>Sandboxes by state at one moment.</summary>
public sealed record PoolSnapshot(int Ready, int Starting, int InUse, int Live, int Waiting);
