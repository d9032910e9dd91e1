using Interpreter.Executor.Configuration;
using Interpreter.Executor.CustomTools.Running;
using Interpreter.Executor.CustomTools.Schema;
using Interpreter.Executor.Execution;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// Runs a custom tool: parses it and validates the input against its schema in the control plane (a bad call costs
/// no sandbox), then executes the harness program in a fresh sandbox through <see cref="ICodeExecutor"/>, exactly
/// like <c>/v1/execute</c>, and reads the result from behind the per-call marker.
/// </summary>
public sealed partial class CustomToolRunner(
    ICustomToolParser parser,
    ICodeExecutor executor,
    IOptions<ExecutorOptions> options,
    ILogger<CustomToolRunner> logger) : ICustomToolRunner
{
    /// <inheritdoc />
    public async Task<CustomToolRunResult> RunAsync(CustomToolRunRequest request, CancellationToken ct)
    {
        var parsed = parser.Parse(request.SourceCode);
        if (parsed.Tool is not { } tool)
        {
            LogSourceRejected(parsed.Errors.Count);
            return CustomToolRunResult.Failed(CustomToolRunStatus.InvalidSource,
                "The tool source is invalid:\n" + string.Join("\n", parsed.Details));
        }

        var inputErrors = ToolInputValidator.Validate(tool.InputSchema, request.InputJson);
        if (inputErrors.Count > 0)
        {
            LogInputRejected(inputErrors.Count);
            return CustomToolRunResult.Failed(CustomToolRunStatus.InvalidInput,
                "Invalid tool input: " + string.Join("\n", inputErrors));
        }

        var program = ToolProgram.Create(tool, request.SourceCode, request.InputJson);
        var result = await executor.ExecuteAsync(
            new ExecutionRequest(program.Source, request.Env, TimeSpan.FromSeconds(options.Value.DefaultTimeoutSeconds)), ct);
        if (program.TryReadOutput(result.Stdout, out var outputJson, out var truncated))
        {
            return CustomToolRunResult.Succeeded(outputJson);
        }

        LogToolFailed(result.ExitCode);
        var stderr = truncated
            ? $"The tool's return value is larger than the output limit of {options.Value.MaxOutputBytes} bytes (APP_MAX_OUTPUT_BYTES).\n"
            : result.Stderr.Length > 0
                ? result.Stderr
                : $"The tool exited with code {result.ExitCode} without returning a value.\n";
        return CustomToolRunResult.Failed(CustomToolRunStatus.ToolFailed, stderr);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Custom tool source rejected with {ErrorCount} problems")]
    private partial void LogSourceRejected(int errorCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Custom tool input rejected with {ErrorCount} problems, no sandbox used")]
    private partial void LogInputRejected(int errorCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Custom tool failed in its sandbox with exit code {ExitCode}")]
    private partial void LogToolFailed(int exitCode);
}
