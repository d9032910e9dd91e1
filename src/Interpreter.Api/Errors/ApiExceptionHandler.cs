using System.Globalization;
using System.Text.Json;
using Interpreter.Executor.Execution;
using Interpreter.Executor.Pool;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Interpreter.Api.Errors;

/// <summary>
/// The one place exceptions become RFC 9457 problem details: bad requests keep their 4xx with a message
/// naming the problem, an exhausted pool is 503 with Retry-After, anything else is a 500 (a bug).
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(context, bad),
            PoolExhaustedException exhausted => Exhausted(context, exhausted),
            ApiProblemException api => new ProblemDetails { Status = api.StatusCode, Title = api.Title, Detail = api.Message },
            ExecutionInputException input => FromInput(context, input),
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(exception, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal server error",
                Detail = "The service failed to handle the request; this is a bug and has been logged.",
            };
        }

        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails FromBadRequest(HttpContext context, BadHttpRequestException bad)
    {
        var detail = bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => StatusCodeProblems.BodyTooLarge,
            StatusCodes.Status415UnsupportedMediaType => StatusCodeProblems.NotJson,
            StatusCodes.Status408RequestTimeout => StatusCodeProblems.BodyTimeout,
            _ => DescribeUnreadableBody(context, bad),
        };
        return new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Invalid request",
            Detail = detail,
        };
    }

    private static string DescribeUnreadableBody(HttpContext context, BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return JsonErrors.Describe(json);
        }

        // Binding says "no body was provided" both for no bytes and for a bare JSON null.
        if (bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase))
        {
            return context.Request.ContentLength is > 0 ? JsonErrors.NotAnObject : "The request body is empty; send a JSON object.";
        }

        // Binding's own words name a .NET parameter ("Required parameter \"ExecuteRequest request\" ..."): say it in JSON terms.
        return bad.Message.Contains("was not provided from body", StringComparison.Ordinal)
            ? JsonErrors.NotAnObject
            : $"The request body could not be read: {bad.Message}";
    }

    private static ProblemDetails FromInput(HttpContext context, ExecutionInputException input)
    {
        if (input.WorkspaceFull)
        {
            return new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Input files too large",
                Detail = input.Message,
            };
        }

        // The sandbox died while taking the files: nothing the client did, and another try gets a fresh one.
        context.Response.Headers.RetryAfter = "1";
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Sandbox failed",
            Detail = input.Message,
        };
    }

    private static ProblemDetails Exhausted(HttpContext context, PoolExhaustedException exhausted)
    {
        context.Response.Headers.RetryAfter =
            ((int)Math.Ceiling(exhausted.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "No sandbox available",
            Detail = exhausted.Message,
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Path}")]
    private partial void LogUnhandled(Exception exception, PathString path);
}
