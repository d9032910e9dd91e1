using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Configuration;

/// <summary>
/// A variable of the reference service that this implementation accepts so existing deployments start unchanged,
/// but whose feature it does not have: the schema file (requests are validated by the service's own rules).
/// </summary>
internal sealed class CompatibilityOptions
{
    public const string Section = "App";

    [ConfigurationKeyName("SCHEMA_PATH")]
    public string SchemaPath { get; set; } = "";
}
