using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Interpreter.Api.Errors;
using Interpreter.Executor.Execution;
using Interpreter.Executor.Pool;

namespace Interpreter.Api.Grpc;

/// <summary>
/// The gRPC counterpart of <see cref="ApiExceptionHandler"/>: the services' exceptions become status codes with a
/// message naming the problem (INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED with a retry-after trailer, ...);
/// anything else is INTERNAL, a bug, and logged.
/// </summary>
internal sealed partial class GrpcExceptionInterceptor(ILogger<GrpcExceptionInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the client."));
        }
        catch (Exception e)
        {
            throw ToRpc(e, context.Method);
        }
    }

    private RpcException ToRpc(Exception exception, string method)
    {
        switch (exception)
        {
            case PoolExhaustedException exhausted:
                var seconds = ((int)Math.Ceiling(exhausted.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return new RpcException(new Status(StatusCode.ResourceExhausted, exhausted.Message), new Metadata { { "retry-after", seconds } });
            case ApiProblemException problem:
                return new RpcException(new Status(FromHttp(problem.StatusCode), problem.Message));
            case ExecutionInputException input:
                return new RpcException(new Status(input.WorkspaceFull ? StatusCode.ResourceExhausted : StatusCode.Unavailable, input.Message));
            default:
                LogUnhandled(exception, method);
                return new RpcException(new Status(StatusCode.Internal,
                    "The service failed to handle the call; this is a bug and has been logged."));
        }
    }

    private static StatusCode FromHttp(int status) => status switch
    {
        StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status409Conflict or StatusCodes.Status410Gone => StatusCode.FailedPrecondition,
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        >= 400 and < 500 => StatusCode.InvalidArgument,
        _ => StatusCode.Internal,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in gRPC method {Method}")]
    private partial void LogUnhandled(Exception exception, string method);
}
