namespace Interpreter.Executor.Pool;

/// <summary>No sandbox could be had within the acquire timeout; the client should retry later.</summary>
public sealed class PoolExhaustedException(TimeSpan waited, TimeSpan retryAfter)
    : Exception($"No sandbox became available within {waited.TotalSeconds:0.#} s; all are busy or starting.")
{
    /// <summary>A sensible wait before retrying.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
