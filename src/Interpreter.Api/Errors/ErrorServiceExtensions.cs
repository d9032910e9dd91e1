using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace Interpreter.Api.Errors;

/// <summary>Every error as RFC 9457 problem+json (snake_case, like the rest of the wire) from one exception handler.</summary>
internal static class ErrorServiceExtensions
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => Wire(o.SerializerOptions));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = StatusCodeProblems.Describe);
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }

    /// <summary>The wire's JSON: snake_case members, dictionary keys (paths, env names) as given.</summary>
    public static void Wire(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
    }
}
