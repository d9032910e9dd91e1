using FluentValidation;
using Interpreter.Api.Access;
using Interpreter.Api.Configuration;
using Interpreter.Api.Errors;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary><c>POST /v1/upload</c>: store a file for a chat, streamed to disk while hashed.</summary>
internal static class UploadEndpoint
{
    // Room for the form's other fields and part headers on top of the file itself.
    private const long FormOverheadBytes = 1 << 20;

    public static IEndpointRouteBuilder MapUploadEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/upload", HandleAsync)
            .RequireSpawnAccess()
            .WithName("Upload")
            .WithSummary("Stores a file for a chat (multipart/form-data: chat_id, upload, max_downloads, expires_days, expires_seconds).")
            .Produces<UploadResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext http,
        FileStore files,
        IValidator<UploadForm> validator,
        IOptions<ApiOptions> api,
        CancellationToken ct)
    {
        var limit = api.Value.FileSizeLimit.Bytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + FormOverheadBytes;
        }

        await using var form = await UploadFormReader.ReadAsync(http.Request, files, limit, ct);
        var validation = await validator.ValidateAsync(form, ct);
        if (!validation.IsValid)
        {
            return ValidationProblems.From(validation);
        }

        FileRecord file;
        try
        {
            file = await files.SaveAsync(form.File!, new NewFile(
                form.ChatId ?? RequestRules.DefaultChatId,
                form.Filename!,
                ContentTypes.For(form.Filename!),
                new DownloadLimits(form.MaxDownloads, form.ExpiresDays, form.ExpiresSeconds)), ct);
        }
        catch (StorageQuotaExceededException quota)
        {
            throw FileProblems.OverQuota(quota);
        }

        return TypedResults.Ok(new UploadResponse(file.Hash, file.Filename, file.ChatId, FileMetadataResponse.From(file)));
    }
}
