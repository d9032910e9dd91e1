using Interpreter.Api.Errors;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files.Expire;

/// <summary><c>POST /v1/expire</c>: end a file's life now; later downloads are 404.</summary>
internal static class ExpireEndpoint
{
    public static IEndpointRouteBuilder MapExpireEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/expire", HandleAsync)
            .AddEndpointFilter<ValidationFilter<ExpireRequest>>()
            .WithName("Expire")
            .WithSummary("Expires a file of the chat now. 404 in the same cases as download.")
            .Produces<ExpireResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<ExpireResponse> HandleAsync(ExpireRequest request, FileStore files, CancellationToken ct)
    {
        var key = new FileKey(request.ChatId ?? RequestRules.DefaultChatId, request.FileHash!, request.Filename!);
        return await files.ExpireAsync(key, ct)
            ? new ExpireResponse(true)
            : throw FileProblems.NotFound();
    }
}
