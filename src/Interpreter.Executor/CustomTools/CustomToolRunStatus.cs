namespace Interpreter.Executor.CustomTools;

/// <summary>How a custom tool run ended.</summary>
public enum CustomToolRunStatus
{
    /// <summary>The tool returned; its value is in <see cref="CustomToolRunResult.OutputJson"/>.</summary>
    Succeeded,

    /// <summary>The source is not a valid tool; no sandbox was used.</summary>
    InvalidSource,

    /// <summary>The input does not match the tool's schema; no sandbox was used.</summary>
    InvalidInput,

    /// <summary>The tool raised, exited, timed out or returned something JSON cannot hold; stderr says which.</summary>
    ToolFailed,
}
