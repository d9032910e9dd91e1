using System.Text.RegularExpressions;
using FluentValidation;
using Grpc.Core;
using Interpreter.Api.Grpc.V1;
using Interpreter.Executor.CustomTools;

namespace Interpreter.Api.Grpc;

/// <summary>
/// The reference's <c>code_interpreter.v1.CodeInterpreterService</c> over the same services, validators and pool as
/// the HTTP API. Its messages carry no chat: the chat comes from the <c>chat-id</c> metadata key.
/// </summary>
internal sealed partial class CodeInterpreterGrpcService(
    Features.Execute.ExecutionService executions,
    IValidator<Features.Execute.Run.ExecuteRequest> executeValidator,
    ICustomToolParser parser,
    IValidator<Features.CustomTools.ParseCustomTool.ParseCustomToolRequest> parseValidator,
    ICustomToolRunner runner,
    IValidator<Features.CustomTools.ExecuteCustomTool.ExecuteCustomToolRequest> toolValidator)
    : CodeInterpreterService.CodeInterpreterServiceBase
{
    /// <summary>The request metadata key that names the chat.</summary>
    public const string ChatIdKey = "chat-id";

    public override async Task<V1.ExecuteResponse> Execute(V1.ExecuteRequest request, ServerCallContext context)
    {
        CheckExecutorId(request.ExecutorId);
        var call = new Features.Execute.Run.ExecuteRequest
        {
            SourceCode = request.SourceCode,
            Files = request.Files.Count == 0 ? null : new Dictionary<string, string>(request.Files, StringComparer.Ordinal),
            ChatId = ChatId(context),
        };
        await ValidateAsync(executeValidator, call, context.CancellationToken);

        var result = await executions.ExecuteAsync(call, context.CancellationToken);
        var response = new V1.ExecuteResponse { Stdout = result.Stdout, Stderr = result.Stderr, ExitCode = result.ExitCode };
        foreach (var (path, hash) in result.Files)
        {
            response.Files[path] = hash;
        }

        return response;
    }

    public override async Task<V1.ParseCustomToolResponse> ParseCustomTool(V1.ParseCustomToolRequest request, ServerCallContext context)
    {
        await ValidateAsync(parseValidator, new Features.CustomTools.ParseCustomTool.ParseCustomToolRequest { ToolSourceCode = request.ToolSourceCode, ChatId = ChatId(context) },
            context.CancellationToken);

        var result = parser.Parse(request.ToolSourceCode);
        if (result.Tool is { } tool)
        {
            return new V1.ParseCustomToolResponse
            {
                Success = new ParseCustomToolResponseSuccess
                {
                    ToolName = tool.Name,
                    ToolDescription = tool.Description,
                    ToolInputSchemaJson = tool.InputSchemaJson,
                },
            };
        }

        var error = new ParseCustomToolResponseError();
        error.ErrorMessages.Add(result.Errors);
        return new V1.ParseCustomToolResponse { Error = error };
    }

    public override async Task<V1.ExecuteCustomToolResponse> ExecuteCustomTool(V1.ExecuteCustomToolRequest request, ServerCallContext context)
    {
        CheckExecutorId(request.ExecutorId);
        await ValidateAsync(toolValidator, new Features.CustomTools.ExecuteCustomTool.ExecuteCustomToolRequest
        {
            ToolSourceCode = request.ToolSourceCode,
            ToolInputJson = request.ToolInputJson,
            ChatId = ChatId(context),
        }, context.CancellationToken);

        var input = string.IsNullOrWhiteSpace(request.ToolInputJson) ? "{}" : request.ToolInputJson;
        var result = await runner.RunAsync(new CustomToolRunRequest(request.ToolSourceCode, input, new Dictionary<string, string>()),
            context.CancellationToken);
        return result.Status == CustomToolRunStatus.Succeeded
            ? new V1.ExecuteCustomToolResponse { Success = new ExecuteCustomToolResponseSuccess { ToolOutputJson = result.OutputJson } }
            : new V1.ExecuteCustomToolResponse { Error = new ExecuteCustomToolResponseError { Stderr = result.Stderr } };
    }

    /// <summary>The chat named by the <c>chat-id</c> metadata key; null when absent (then the validator's rule decides).</summary>
    private static string? ChatId(ServerCallContext context) => context.RequestHeaders.GetValue(ChatIdKey);

    private static void CheckExecutorId(string executorId)
    {
        if (executorId.Length > 0 && !ExecutorId().IsMatch(executorId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "executor_id must match ^[a-z0-9-]{1,32}$ when given."));
        }
    }

    private static async Task ValidateAsync<T>(IValidator<T> validator, T request, CancellationToken ct)
    {
        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                string.Join(" ", validation.Errors.Select(e => e.ErrorMessage).Distinct())));
        }
    }

    [GeneratedRegex(@"\A[a-z0-9-]{1,32}\z")]
    private static partial Regex ExecutorId();
}
