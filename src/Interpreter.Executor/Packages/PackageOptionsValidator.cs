using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Packages;

/// <summary>Validates the package settings, naming the variable at fault.</summary>
public sealed class PackageOptionsValidator : IValidateOptions<PackageOptions>
{
    /// <summary>What the agent reads in one request.</summary>
    public const long AgentLimit = 64L << 20;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PackageOptions options)
    {
        var errors = new List<string>();
        if (options.Enabled && (!Uri.TryCreate(options.IndexUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"APP_PACKAGE_INDEX_URL '{options.IndexUrl}' must be an absolute http(s) URL of a PEP 503 simple index.");
        }

        if (options.MaxBytes.Bytes < 1 || options.MaxBytes.Bytes > AgentLimit)
        {
            errors.Add("APP_PACKAGE_MAX_BYTES must be between 1 byte and 64Mi.");
        }

        if (options.InstallTimeoutSeconds < 1)
        {
            errors.Add("APP_PACKAGE_INSTALL_TIMEOUT must be at least 1 second.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
