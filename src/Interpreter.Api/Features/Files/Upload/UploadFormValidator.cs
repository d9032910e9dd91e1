using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>The rules API.md sets for <c>POST /v1/upload</c>.</summary>
internal sealed class UploadFormValidator : Validator<UploadForm>
{
    /// <summary>FastEndpoints' instance: the settings are read from the request's own host when a request is validated.</summary>
    [ActivatorUtilitiesConstructor]
    public UploadFormValidator()
        : this(null)
    {
    }

    /// <summary>An instance over one host's settings.</summary>
    public UploadFormValidator(IOptions<ApiOptions>? api)
    {
        RuleFor(r => r.ChatId).ValidChatId(() => (api ?? Resolve<IOptions<ApiOptions>>()).Value.RequireChatId);
        RuleFor(r => r.File).NotNull().OverridePropertyName("upload")
            .WithMessage("upload (the file part of the form) is required.");
        RuleFor(r => r.Filename).Must(RequestRules.IsUploadFilename).When(r => r.File is not null).OverridePropertyName("filename")
            .WithMessage(UploadFormReader.FilenameRule);
        RuleFor(r => r.MaxDownloads).ValidMaxDownloads();
        RuleFor(r => r.ExpiresDays).ValidExpiresDays();
        RuleFor(r => r.ExpiresSeconds).ValidExpiresSeconds();
    }
}
