using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// How to reach and authenticate to one API server: address, namespace, bearer token (fixed or re-read from a
/// file so rotated service-account tokens keep working), client certificate, and the CA to trust.
/// </summary>
public sealed class KubernetesConnection
{
    /// <summary>The API server, e.g. <c>https://10.0.0.1:443</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>The namespace sandbox pods live in.</summary>
    public required string Namespace { get; init; }

    /// <summary>A fixed bearer token.</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the bearer token, read again for each request (service-account tokens rotate).</summary>
    public string? TokenFile { get; init; }

    /// <summary>Client certificate with its private key.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>CA certificates that sign the server's certificate; empty means the system's trust store.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    /// <summary>Accept any server certificate (kubeconfig <c>insecure-skip-tls-verify</c>).</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary>True when the service runs in a pod with the service account's credentials.</summary>
    public bool InCluster { get; init; }

    /// <summary>In-cluster: the name of the pod this service runs in (POD_NAME, else HOSTNAME), for owner references.</summary>
    public string? OwnPodName { get; init; }

    /// <summary>Where the settings came from, for log and error messages.</summary>
    public string Source { get; init; } = "";

    /// <summary>The bearer token to send now, if any.</summary>
    public string? CurrentToken()
    {
        if (TokenFile is null)
        {
            return Token;
        }

        try
        {
            return File.ReadAllText(TokenFile).Trim();
        }
        catch (IOException)
        {
            // A rotation swaps the file's symlink; the token read before is still valid for a while.
            return Token;
        }
    }

    /// <summary>An HTTP handler with this connection's TLS settings.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var ssl = new SslClientAuthenticationOptions();
        if (ClientCertificate is not null)
        {
            ssl.ClientCertificates = [ClientCertificate];
        }

        if (SkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (TrustedCertificates.Count > 0)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(TrustedCertificates);
            ssl.CertificateChainPolicy = policy;
        }

        return new SocketsHttpHandler
        {
            SslOptions = ssl,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // Watches hold a connection each while pods start.
            MaxConnectionsPerServer = 64,
            // A watch left early is an endless stream: close its connection rather than drain it.
            MaxResponseDrainSize = 0,
            EnableMultipleHttp2Connections = true,
        };
    }
}
