using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Configuration;

/// <summary>Validates the reference-compatibility variable, naming it when at fault.</summary>
internal sealed class CompatibilityOptionsValidator : IValidateOptions<CompatibilityOptions>
{
    public ValidateOptionsResult Validate(string? name, CompatibilityOptions options)
    {
        var errors = new List<string>();
        if (options.SchemaPath.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(options.SchemaPath));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                errors.Add($"APP_SCHEMA_PATH '{options.SchemaPath}' must name a readable JSON file: {e.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
