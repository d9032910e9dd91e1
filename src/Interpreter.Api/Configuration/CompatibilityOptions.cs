using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Configuration;

/// <summary>
/// Variables of the reference service that this implementation accepts so existing deployments start
/// unchanged, but whose feature it does not have: a gRPC server (HTTP only here) and a schema file.
/// They are validated; enabling gRPC stops start-up with a message saying so.
/// </summary>
internal sealed class CompatibilityOptions
{
    public const string Section = "App";

    [ConfigurationKeyName("GRPC_ENABLED")]
    public bool GrpcEnabled { get; set; }

    [ConfigurationKeyName("GRPC_LISTEN_ADDR")]
    public string GrpcListenAddress { get; set; } = "0.0.0.0:50051";

    [ConfigurationKeyName("GRPC_TLS_CERT")]
    public string GrpcTlsCert { get; set; } = "";

    [ConfigurationKeyName("GRPC_TLS_CERT_KEY")]
    public string GrpcTlsCertKey { get; set; } = "";

    [ConfigurationKeyName("GRPC_TLS_CA_CERT")]
    public string GrpcTlsCaCert { get; set; } = "";

    [ConfigurationKeyName("SCHEMA_PATH")]
    public string SchemaPath { get; set; } = "";
}
