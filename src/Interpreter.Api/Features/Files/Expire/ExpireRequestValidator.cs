using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Expire;

/// <summary>The rules API.md sets for <c>POST /v1/expire</c>.</summary>
internal sealed class ExpireRequestValidator(IOptions<ApiOptions> api) : FileReferenceValidator<ExpireRequest>(api.Value);
