namespace Interpreter.Executor.CustomTools;

/// <summary>Runs custom tools: validates the input in the control plane, then calls the function in a fresh sandbox.</summary>
public interface ICustomToolRunner
{
    /// <summary>Runs <paramref name="request"/>; a failing tool is a result, not an exception.</summary>
    Task<CustomToolRunResult> RunAsync(CustomToolRunRequest request, CancellationToken ct);
}
