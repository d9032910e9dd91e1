using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Download;

/// <summary>The rules API.md sets for <c>POST /v1/download</c>.</summary>
internal sealed class DownloadRequestValidator : FileReferenceValidator<DownloadRequest>
{
    /// <summary>FastEndpoints' instance: the settings are read from the request's own host.</summary>
    [ActivatorUtilitiesConstructor]
    public DownloadRequestValidator()
        : base(null)
    {
    }

    /// <summary>An instance over one host's settings.</summary>
    public DownloadRequestValidator(IOptions<ApiOptions> api)
        : base(api)
    {
    }
}
