using System.Diagnostics;
using FluentValidation.Results;
using Interpreter.Api.Features;
using Microsoft.AspNetCore.Mvc;

namespace Interpreter.Api.Errors;

/// <summary>
/// FastEndpoints' error response builder: failed rules as RFC 9457 problem+json whose <c>detail</c> and <c>errors</c>
/// name each field (FastEndpoints' own <c>{"statusCode":400,"errors":{...}}</c> never goes out), and a body that could
/// not be bound as a problem whose detail says what is wrong with it, with its own status (400 or 415).
/// </summary>
internal static class ValidationProblems
{
    private const string Title = "Invalid request";

    public static object Build(List<ValidationFailure> failures, HttpContext http, int status)
    {
        ProblemDetails problem;
        if (failures.FirstOrDefault(f => f.CustomState is RequestBodyFailure) is { } body)
        {
            status = RequestBodyFailure.StatusOf(failures);
            problem = new ProblemDetails { Title = Title, Detail = body.ErrorMessage };
        }
        else
        {
            var errors = failures
                .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
            problem = new HttpValidationProblemDetails(errors)
            {
                Title = Title,
                Detail = string.Join(" ", failures.Select(e => e.ErrorMessage).Distinct()),
            };
        }

        // The same members the framework's problem writer gives every other problem of this service.
        http.Response.StatusCode = status;
        problem.Status = status;
        problem.Type = status == StatusCodes.Status415UnsupportedMediaType
            ? "https://tools.ietf.org/html/rfc9110#section-15.5.16"
            : "https://tools.ietf.org/html/rfc9110#section-15.5.1";
        problem.Extensions["trace_id"] = Activity.Current?.Id ?? http.TraceIdentifier;
        return problem;
    }
}
