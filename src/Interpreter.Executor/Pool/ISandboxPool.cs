namespace Interpreter.Executor.Pool;

/// <summary>Hands out ready, single-use sandboxes.</summary>
public interface ISandboxPool
{
    /// <summary>
    /// A ready, health-checked sandbox for one execution; disposing the lease destroys the sandbox.
    /// Throws <see cref="PoolExhaustedException"/> when none can be had within the acquire timeout.
    /// </summary>
    Task<SandboxLease> AcquireAsync(CancellationToken ct);

    /// <summary>Counts of sandboxes by state, for readiness and metrics.</summary>
    PoolSnapshot Snapshot { get; }
}
