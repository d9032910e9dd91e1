using FluentValidation.Results;

namespace Interpreter.Api.Errors;

/// <summary>A failed FluentValidation result as a 400 problem+json naming each field.</summary>
internal static class ValidationProblems
{
    public static IResult From(ValidationResult result)
    {
        var errors = result.Errors
            .GroupBy(e => e.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return TypedResults.ValidationProblem(errors,
            detail: string.Join(" ", result.Errors.Select(e => e.ErrorMessage).Distinct()),
            title: "Invalid request");
    }
}
