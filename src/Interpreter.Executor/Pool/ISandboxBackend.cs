namespace Interpreter.Executor.Pool;

/// <summary>
/// Creates, finds and deletes sandboxes, and says how to reach each one's agent. Nothing else: waiting for the
/// agent (<see cref="SandboxStarter"/>), pooling, health checks at hand-out and single use live in the pool.
/// </summary>
public interface ISandboxBackend
{
    /// <summary>Creates and starts a sandbox and returns it once started; its agent may not answer yet.</summary>
    Task<SandboxInstance> CreateAsync(CancellationToken ct);

    /// <summary>
    /// The agent answered: the backend takes away what only the start needed (Docker: the token file and write
    /// access to the socket folder). Called once, before the sandbox is handed out.
    /// </summary>
    Task OnAgentReadyAsync(SandboxInstance sandbox, CancellationToken ct);

    /// <summary>Destroys a sandbox; destroying one already gone is not an error.</summary>
    Task DestroyAsync(SandboxInstance sandbox, CancellationToken ct);

    /// <summary>Removes sandboxes an earlier run of this service instance left behind; returns how many.</summary>
    Task<int> RemoveLeftoversAsync(CancellationToken ct);

    /// <summary>Removes every sandbox this run created that still exists; returns how many.</summary>
    Task<int> RemoveOwnAsync(CancellationToken ct);

    /// <summary>True when the backend (engine or cluster) answers.</summary>
    Task<bool> IsAvailableAsync(CancellationToken ct);

    /// <summary>Why a sandbox stopped answering, if the backend can tell (e.g. the memory limit).</summary>
    Task<string?> DescribeFailureAsync(SandboxInstance sandbox, CancellationToken ct);
}
