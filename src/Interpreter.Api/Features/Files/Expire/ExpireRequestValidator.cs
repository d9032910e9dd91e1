using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Expire;

/// <summary>The rules API.md sets for <c>POST /v1/expire</c>.</summary>
internal sealed class ExpireRequestValidator : FileReferenceValidator<ExpireRequest>
{
    /// <summary>FastEndpoints' instance: the settings are read from the request's own host.</summary>
    [ActivatorUtilitiesConstructor]
    public ExpireRequestValidator()
        : base(null)
    {
    }

    /// <summary>An instance over one host's settings.</summary>
    public ExpireRequestValidator(IOptions<ApiOptions> api)
        : base(api)
    {
    }
}
