namespace Interpreter.Executor.Pool;

/// <summary>Identity of this process's run: a fresh id per start, stamped on every sandbox it creates.</summary>
public sealed class SandboxRun
{
    /// <summary>The run id.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..16];
}
