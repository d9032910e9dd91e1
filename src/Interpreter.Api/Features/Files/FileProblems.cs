using Interpreter.Api.Errors;
using Interpreter.Storage;

namespace Interpreter.Api.Features.Files;

/// <summary>Problems the file endpoints answer with.</summary>
internal static class FileProblems
{
    /// <summary>The one answer for unknown, other chat's, expired and exhausted files: existence must not leak.</summary>
    public static ApiProblemException NotFound() =>
        new(StatusCodes.Status404NotFound, "File not found", "File not found");

    /// <summary>An upload over APP_FILE_SIZE_LIMIT.</summary>
    public static ApiProblemException TooLarge(long limitBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "File too large",
            $"The uploaded file is larger than the limit of {limitBytes} bytes (APP_FILE_SIZE_LIMIT).");

    /// <summary>
    /// An upload that would take its chat or the storage over a quota: 409, a conflict with what is stored now (413
    /// would tell the client to send less of this file; 507 is a 5xx, which says the server failed).
    /// </summary>
    public static ApiProblemException OverQuota(StorageQuotaExceededException quota) =>
        new(StatusCodes.Status409Conflict, "Storage quota exceeded", quota.Message);
}
