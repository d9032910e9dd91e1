using FastEndpoints;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files.Download;

/// <summary><c>POST /v1/download</c>: stream a stored file, taking one of its downloads.</summary>
internal sealed class DownloadEndpoint(FileStore files) : Endpoint<DownloadRequest>
{
    public override void Configure()
    {
        Post("/v1/download");
        AllowAnonymous();
        RequestBinder(new JsonBodyBinder<DownloadRequest>(decodeCharset: true));
        Description(b => b
            .ClearDefaultAccepts()
            .AcceptsJsonBody<DownloadRequest>()
            .WithName("Download")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType));
        Summary(s => s.Summary =
            "Streams a file of the chat; each call takes one download. Unknown, other chat's, expired and exhausted files are all 404.");
    }

    public override async Task HandleAsync(DownloadRequest req, CancellationToken ct)
    {
        var key = new FileKey(req.ChatId ?? RequestRules.DefaultChatId, req.FileHash!, req.Filename!);
        var download = await files.OpenDownloadAsync(key, ct) ?? throw FileProblems.NotFound();

        HttpContext.Response.Headers.ContentDisposition = ContentDisposition.Attachment(download.File.Filename);
        // Stored bytes are the clients' (and their code's): a browser must not sniff them into something else, and
        // one that renders an uploaded HTML file anyway gets an opaque origin with no scripts.
        HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        HttpContext.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        // The result disposes the stream once sent; Content-Length comes from the file's length.
        await Send.ResultAsync(TypedResults.Stream(download.Content, download.File.ContentType));
    }
}
