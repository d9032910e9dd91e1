using FastEndpoints;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files.Expire;

/// <summary><c>POST /v1/expire</c>: end a file's life now; later downloads are 404.</summary>
internal sealed class ExpireEndpoint(FileStore files) : Endpoint<ExpireRequest, ExpireResponse>
{
    public override void Configure()
    {
        Post("/v1/expire");
        AllowAnonymous();
        RequestBinder(new JsonBodyBinder<ExpireRequest>(decodeCharset: true));
        Description(b => b
            .ClearDefaultAccepts()
            .AcceptsJsonBody<ExpireRequest>()
            .WithName("Expire")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType));
        Summary(s => s.Summary = "Expires a file of the chat now. 404 in the same cases as download.");
    }

    public override async Task HandleAsync(ExpireRequest req, CancellationToken ct)
    {
        var key = new FileKey(req.ChatId ?? RequestRules.DefaultChatId, req.FileHash!, req.Filename!);
        await Send.OkAsync(await files.ExpireAsync(key, ct) ? new ExpireResponse(true) : throw FileProblems.NotFound(), ct);
    }
}
