using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Configuration;

namespace Interpreter.Api.Features.Files;

/// <summary>The rules API.md sets for <c>{chat_id, file_hash, filename}</c> bodies (download, expire).</summary>
internal abstract class FileReferenceValidator<T> : Validator<T>
    where T : class, IFileReference
{
    protected FileReferenceValidator(ApiOptions api)
    {
        RuleFor(r => r.ChatId).ValidChatId(() => api.RequireChatId);
        RuleFor(r => r.FileHash).Must(h => h is not null && RequestRules.Sha256Hex().IsMatch(h)).OverridePropertyName("file_hash")
            .WithMessage("file_hash must be a lowercase hex SHA-256 (64 characters).");
        RuleFor(r => r.Filename).Must(RequestRules.IsStoredFilename).OverridePropertyName("filename")
            .WithMessage("filename must be a file name of 1-255 bytes without '/' or NUL, and not '.' or '..'.");
    }
}
