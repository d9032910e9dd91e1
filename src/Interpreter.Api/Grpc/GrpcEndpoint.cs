using System.Net;
using System.Security.Cryptography.X509Certificates;
using Interpreter.Api.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Grpc;

/// <summary>
/// Shapes the Kestrel endpoint of <c>APP_GRPC_LISTEN_ADDR</c>: HTTP/2 only (plaintext gRPC needs it), TLS from the
/// PEM files when set, and client certificates signed by <c>APP_GRPC_TLS_CA_CERT</c> required when that is set.
/// </summary>
internal sealed class GrpcEndpoint(IOptions<GrpcOptions> options)
{
    private readonly Lazy<X509Certificate2?> _certificate = new(() => options.Value.UsesTls
        ? X509Certificate2.CreateFromPemFile(options.Value.TlsCert, options.Value.TlsCertKey)
        : null);

    private readonly Lazy<X509Certificate2?> _clientCa = new(() => options.Value.TlsCaCert.Length > 0
        ? X509Certificate2.CreateFromPem(File.ReadAllText(options.Value.TlsCaCert))
        : null);

    /// <summary>The Kestrel URL of the gRPC endpoint, or null when gRPC is off.</summary>
    public static string? ListenUrl(IConfiguration configuration) =>
        configuration.GetValue<bool>("App:GRPC_ENABLED")
            ? AppConfigurationExtensions.ToListenUrl(
                configuration["App:GRPC_LISTEN_ADDR"] ?? new GrpcOptions().ListenAddress, "APP_GRPC_LISTEN_ADDR")
            : null;

    /// <summary>Applies the gRPC protocol and TLS settings when <paramref name="listen"/> is the gRPC endpoint.</summary>
    public void Configure(ListenOptions listen)
    {
        var value = options.Value;
        if (!value.Enabled || listen.EndPoint is not IPEndPoint { Port: var port } || port != GrpcPort(value))
        {
            return;
        }

        listen.Protocols = HttpProtocols.Http2;
        if (_certificate.Value is not { } certificate)
        {
            return;
        }

        listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            if (_clientCa.Value is { } ca)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (client, _, _) => IsSignedBy(client, ca);
            }
        });
    }

    private static int GrpcPort(GrpcOptions value) =>
        new Uri(AppConfigurationExtensions.ToListenUrl(value.ListenAddress, "APP_GRPC_LISTEN_ADDR")).Port;

    /// <summary>A chain from <paramref name="client"/> to <paramref name="ca"/> alone (the system's roots do not count).</summary>
    private static bool IsSignedBy(X509Certificate2 client, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }
}
