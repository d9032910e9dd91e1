using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>The rules API.md sets for <c>POST /v1/upload</c>.</summary>
internal sealed class UploadFormValidator : Validator<UploadForm>
{
    public UploadFormValidator(IOptions<ApiOptions> api)
    {
        RuleFor(r => r.ChatId).ValidChatId(() => api.Value.RequireChatId);
        RuleFor(r => r.File).NotNull().OverridePropertyName("upload")
            .WithMessage("upload (the file part of the form) is required.");
        RuleFor(r => r.Filename).Must(RequestRules.IsUploadFilename).When(r => r.File is not null).OverridePropertyName("filename")
            .WithMessage(UploadFormReader.FilenameRule);
        RuleFor(r => r.MaxDownloads).ValidMaxDownloads();
        RuleFor(r => r.ExpiresDays).ValidExpiresDays();
        RuleFor(r => r.ExpiresSeconds).ValidExpiresSeconds();
    }
}
