using Interpreter.Api.Errors;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files.Download;

/// <summary><c>POST /v1/download</c>: stream a stored file, taking one of its downloads.</summary>
internal static class DownloadEndpoint
{
    public static IEndpointRouteBuilder MapDownloadEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/download", HandleAsync)
            .AddEndpointFilter<ValidationFilter<DownloadRequest>>()
            .WithName("Download")
            .WithSummary("Streams a file of the chat; each call takes one download. Unknown, other chat's, expired and exhausted files are all 404.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> HandleAsync(DownloadRequest request, FileStore files, HttpContext http, CancellationToken ct)
    {
        var key = new FileKey(request.ChatId ?? RequestRules.DefaultChatId, request.FileHash!, request.Filename!);
        var download = await files.OpenDownloadAsync(key, ct) ?? throw FileProblems.NotFound();

        http.Response.Headers.ContentDisposition = ContentDisposition.Attachment(download.File.Filename);
        // Stored bytes are the clients' (and their code's): a browser must not sniff them into something else, and
        // one that renders an uploaded HTML file anyway gets an opaque origin with no scripts.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        // The result disposes the stream once sent; Content-Length comes from the file's length.
        return TypedResults.Stream(download.Content, download.File.ContentType);
    }
}
