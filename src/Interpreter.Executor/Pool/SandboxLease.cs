using Interpreter.Executor.Agent;

namespace Interpreter.Executor.Pool;

/// <summary>One sandbox lent for one execution. Disposing it hands the sandbox back for destruction, off the request path.</summary>
public sealed class SandboxLease : IAsyncDisposable
{
    private readonly Action<SandboxInstance> _release;
    private int _released;

    internal SandboxLease(SandboxInstance sandbox, AgentClient agent, Action<SandboxInstance> release)
    {
        Sandbox = sandbox;
        Agent = agent;
        _release = release;
    }

    /// <summary>The sandbox.</summary>
    public SandboxInstance Sandbox { get; }

    /// <summary>Client of the sandbox's agent.</summary>
    public AgentClient Agent { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release(Sandbox);
        }

        return ValueTask.CompletedTask;
    }
}
