using FluentValidation;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>The rules API.md sets for <c>POST /v1/upload</c>.</summary>
internal sealed class UploadFormValidator : AbstractValidator<UploadForm>
{
    public UploadFormValidator(IOptions<ApiOptions> api)
    {
        RuleFor(r => r.ChatId).NotEmpty().When(_ => api.Value.RequireChatId).OverridePropertyName("chat_id")
            .WithMessage("chat_id is required (APP_REQUIRE_CHAT_ID=true).");
        RuleFor(r => r.ChatId).Matches(RequestRules.ChatId()).When(r => r.ChatId is not null).OverridePropertyName("chat_id")
            .WithMessage("chat_id must be 1-255 characters of A-Z, a-z, 0-9, '_' or '-'.");
        RuleFor(r => r.File).NotNull().OverridePropertyName("upload")
            .WithMessage("upload (the file part of the form) is required.");
        RuleFor(r => r.Filename).Must(RequestRules.IsUploadFilename).When(r => r.File is not null).OverridePropertyName("filename")
            .WithMessage(UploadFormReader.FilenameRule);
        RuleFor(r => r.MaxDownloads).GreaterThanOrEqualTo(0).OverridePropertyName("max_downloads")
            .WithMessage("max_downloads must be an integer >= 0 (0 = unlimited).");
        RuleFor(r => r.ExpiresDays).InclusiveBetween(0, 36_500).OverridePropertyName("expires_days")
            .WithMessage("expires_days must be an integer between 0 and 36500.");
        RuleFor(r => r.ExpiresSeconds).InclusiveBetween(0, 36_500L * 86_400).OverridePropertyName("expires_seconds")
            .WithMessage("expires_seconds must be an integer between 0 and 3153600000.");
    }
}
