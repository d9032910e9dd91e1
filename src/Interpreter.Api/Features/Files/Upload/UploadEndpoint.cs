using FastEndpoints;
using Interpreter.Api.Access;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary><c>POST /v1/upload</c>: store a file for a chat, streamed to disk while hashed.</summary>
internal sealed class UploadEndpoint(FileStore files) : Endpoint<UploadForm, UploadResponse>
{
    public override void Configure()
    {
        Post("/v1/upload");
        AllowAnonymous();
        RequestBinder(new UploadFormBinder());
        Options(b => b.RequireSpawnAccess());
        // No accepts metadata: routing would answer another Content-Type with the JSON endpoints' 415, while the form
        // reader's own 415 says what this endpoint takes.
        Description(b => b
            .ClearDefaultAccepts()
            .WithName("Upload")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType));
        Summary(s => s.Summary =
            "Stores a file for a chat (multipart/form-data: chat_id, upload, max_downloads, expires_days, expires_seconds).");
    }

    public override async Task HandleAsync(UploadForm req, CancellationToken ct)
    {
        FileRecord file;
        try
        {
            file = await files.SaveAsync(req.File!, new NewFile(
                req.ChatId ?? RequestRules.DefaultChatId,
                req.Filename!,
                ContentTypes.For(req.Filename!),
                new DownloadLimits(req.MaxDownloads, req.ExpiresDays, req.ExpiresSeconds)), ct);
        }
        catch (StorageQuotaExceededException quota)
        {
            throw FileProblems.OverQuota(quota);
        }

        await Send.OkAsync(new UploadResponse(file.Hash, file.Filename, file.ChatId, FileMetadataResponse.From(file)), ct);
    }
}
