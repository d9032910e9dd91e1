using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files;

/// <summary>The rules API.md sets for <c>{chat_id, file_hash, filename}</c> bodies (download, expire).</summary>
internal abstract class FileReferenceValidator<T> : Validator<T>
    where T : class, IFileReference
{
    /// <param name="api">One host's settings; null reads them from the request's own host when a request is validated
    /// (FastEndpoints keeps one validator per process, and a test process runs several hosts).</param>
    protected FileReferenceValidator(IOptions<ApiOptions>? api)
    {
        RuleFor(r => r.ChatId).ValidChatId(() => (api ?? Resolve<IOptions<ApiOptions>>()).Value.RequireChatId);
        RuleFor(r => r.FileHash).Must(h => h is not null && RequestRules.Sha256Hex().IsMatch(h)).OverridePropertyName("file_hash")
            .WithMessage("file_hash must be a lowercase hex SHA-256 (64 characters).");
        RuleFor(r => r.Filename).Must(RequestRules.IsStoredFilename).OverridePropertyName("filename")
            .WithMessage("filename must be a file name of 1-255 bytes without '/' or NUL, and not '.' or '..'.");
    }
}
