using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Download;

/// <summary>The rules API.md sets for <c>POST /v1/download</c>.</summary>
internal sealed class DownloadRequestValidator(IOptions<ApiOptions> api) : FileReferenceValidator<DownloadRequest>(api.Value);
