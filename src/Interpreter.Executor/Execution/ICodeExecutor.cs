namespace Interpreter.Executor.Execution;

/// <summary>Runs Python code in a fresh sandbox from the pool.</summary>
public interface ICodeExecutor
{
    /// <summary>Runs <paramref name="request"/> in a sandbox used only for it.</summary>
    Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken ct);
}
