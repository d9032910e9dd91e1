using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Interpreter.Api.Grpc.V1;
using Shouldly;

namespace Interpreter.IntegrationTests.Grpc;

/// <summary>
/// gRPC over TLS (server certificate from APP_GRPC_TLS_CERT / APP_GRPC_TLS_CERT_KEY) and mutual TLS (client
/// certificates signed by APP_GRPC_TLS_CA_CERT required), with certificates the test makes for itself.
/// </summary>
public sealed class GrpcTlsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "tls-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;
    private readonly X509Certificate2 _stranger;

    public GrpcTlsTests()
    {
        Directory.CreateDirectory(_folder);
        _ca = SelfSigned("CN=ComputeSandbox test CA", isCa: true, days: 2);
        _server = Issue(_ca, "CN=127.0.0.1", server: true);
        _client = Issue(_ca, "CN=test client", server: false);
        _stranger = SelfSigned("CN=stranger", isCa: false, days: 1);
        WritePem(_ca, "ca");
        WritePem(_server, "server");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_RunsOverTls_WhenTheServerHasACertificate()
    {
        await using var api = await GrpcApi.StartAsync(new Dictionary<string, string>
        {
            ["APP_GRPC_TLS_CERT"] = Path.Combine(_folder, "server.crt"),
            ["APP_GRPC_TLS_CERT_KEY"] = Path.Combine(_folder, "server.key"),
        }, ready: 1, Ct);

        var response = await api.Connect(Handler(clientCertificate: null)).ExecuteAsync(
            new ExecuteRequest { SourceCode = "print('over tls')" }, GrpcApi.As("tls", Ct));
        var plaintext = await Should.ThrowAsync<RpcException>(async () =>
            await api.Connect().ExecuteAsync(new ExecuteRequest { SourceCode = "print(1)" }, GrpcApi.As("tls", Ct)));

        response.Stdout.ShouldBe("over tls\n");
        plaintext.StatusCode.ShouldBe(StatusCode.Unavailable);
    }

    [Fact]
    public async Task Execute_RequiresAClientCertificateOfTheCa_WhenTheCaIsSet()
    {
        await using var api = await GrpcApi.StartAsync(new Dictionary<string, string>
        {
            ["APP_GRPC_TLS_CERT"] = Path.Combine(_folder, "server.crt"),
            ["APP_GRPC_TLS_CERT_KEY"] = Path.Combine(_folder, "server.key"),
            ["APP_GRPC_TLS_CA_CERT"] = Path.Combine(_folder, "ca.crt"),
        }, ready: 1, Ct);
        var request = new ExecuteRequest { SourceCode = "print('mutual')" };

        var signed = await api.Connect(Handler(_client)).ExecuteAsync(request, GrpcApi.As("mtls", Ct));
        var ranBefore = await SuccessfulRunsAsync(api);
        var none = await Should.ThrowAsync<RpcException>(async () =>
            await api.Connect(Handler(clientCertificate: null)).ExecuteAsync(request, GrpcApi.As("mtls", Ct)));
        var stranger = await Should.ThrowAsync<RpcException>(async () =>
            await api.Connect(Handler(_stranger)).ExecuteAsync(request, GrpcApi.As("mtls", Ct)));

        signed.Stdout.ShouldBe("mutual\n");
        // Refused in the TLS handshake (TLS 1.3 tells the client only when it reads): a transport failure either way.
        none.StatusCode.ShouldBeOneOf(StatusCode.Unavailable, StatusCode.Internal);
        stranger.StatusCode.ShouldBeOneOf(StatusCode.Unavailable, StatusCode.Internal);
        (await SuccessfulRunsAsync(api)).ShouldBe(ranBefore, "no refused call may run code");
        (await api.Process.PoolAsync(Ct)).ShouldNotBeNull("the refused handshakes must not hurt the server");
    }

    /// <summary>Successful executions the API has counted (its /metrics), to show a refused call ran nothing.</summary>
    private static async Task<string> SuccessfulRunsAsync(GrpcApi api)
    {
        var metrics = await api.Process.Client.GetStringAsync("/metrics", Ct);
        return metrics.Split('\n').SingleOrDefault(l => l.StartsWith("computesandbox_execution_duration_seconds_count{outcome=\"success\"}", StringComparison.Ordinal)) ?? "none";
    }

    public void Dispose()
    {
        foreach (var certificate in new[] { _ca, _server, _client, _stranger })
        {
            certificate.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Trusts only the test CA for the server, and presents <paramref name="clientCertificate"/> when given.</summary>
    private SocketsHttpHandler Handler(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(_ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return handler;
    }

    private void WritePem(X509Certificate2 certificate, string name)
    {
        File.WriteAllText(Path.Combine(_folder, name + ".crt"), certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(Path.Combine(_folder, name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 SelfSigned(string subject, bool isCa, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (isCa)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        }

        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(days));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
