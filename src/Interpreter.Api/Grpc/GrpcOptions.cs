using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Grpc;

/// <summary>The reference's gRPC server settings, bound from <c>APP_GRPC_*</c> variables.</summary>
internal sealed class GrpcOptions
{
    public const string Section = "App";

    /// <summary>Serve <c>code_interpreter.v1.CodeInterpreterService</c> beside the HTTP API.</summary>
    [ConfigurationKeyName("GRPC_ENABLED")]
    public bool Enabled { get; set; }

    /// <summary>host:port of the gRPC endpoint (HTTP/2 only).</summary>
    [ConfigurationKeyName("GRPC_LISTEN_ADDR")]
    public string ListenAddress { get; set; } = "0.0.0.0:50051";

    /// <summary>PEM certificate (chain) of the gRPC endpoint; with <see cref="TlsCertKey"/> it turns TLS on.</summary>
    [ConfigurationKeyName("GRPC_TLS_CERT")]
    public string TlsCert { get; set; } = "";

    /// <summary>PEM private key of <see cref="TlsCert"/>.</summary>
    [ConfigurationKeyName("GRPC_TLS_CERT_KEY")]
    public string TlsCertKey { get; set; } = "";

    /// <summary>PEM CA certificate: when set, clients must present a certificate it signed.</summary>
    [ConfigurationKeyName("GRPC_TLS_CA_CERT")]
    public string TlsCaCert { get; set; } = "";

    /// <summary>True when the endpoint speaks TLS.</summary>
    public bool UsesTls => TlsCert.Length > 0;
}
