using System.Security.Cryptography.X509Certificates;
using System.Text;
using Interpreter.Executor.Kubernetes;
using Shouldly;

namespace Interpreter.Executor.Tests.Kubernetes;

/// <summary>
/// Kubeconfig files (token, token file, client certificate, CA data or file) and the in-cluster service account, as
/// KubernetesClient's loaders read them.
/// </summary>
public sealed class KubernetesTargetLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kubeconfig-tests-").FullName;
    private readonly TestCertificates _certificates = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task LoadKubeconfig_ReadsTokenCaDataAndNamespace_FromCurrentContext()
    {
        var path = Write("config", $"""
            apiVersion: v1
            kind: Config
            current-context: work
            clusters:
            - name: other
              cluster:
                server: https://other.example:6443
            - name: main
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: {TestCertificates.Base64(_certificates.CaPem)}
            contexts:
            - name: home
              context: {"{"}cluster: other, user: nobody{"}"}
            - name: work
              context:
                cluster: main
                user: robot
                namespace: sandboxes
            users:
            - name: robot
              user:
                token: abc.def
            """);

        var connection = KubernetesTargetLoader.LoadKubeconfig(path, "", "test");

        connection.Server.ShouldBe(new Uri("https://127.0.0.1:6443/"));
        connection.Namespace.ShouldBe("sandboxes");
        (await TokenAsync(connection)).ShouldBe("abc.def");
        ClientCertificate(connection).ShouldBeNull();
        connection.Configuration.SslCaCerts.ShouldNotBeNull().ShouldHaveSingleItem().Thumbprint.ShouldBe(_certificates.Ca.Thumbprint);
        connection.InCluster.ShouldBeFalse();
        connection.Configuration.SkipTlsVerify.ShouldBeFalse();
    }

    [Fact]
    public async Task LoadKubeconfig_ReadsClientCertificateData_WhenGiven()
    {
        var path = Write("config", ClientCertificateKubeconfig("https://127.0.0.1:6443"));

        var connection = KubernetesTargetLoader.LoadKubeconfig(path, "", "test");

        var certificate = ClientCertificate(connection).ShouldNotBeNull();
        certificate.HasPrivateKey.ShouldBeTrue();
        certificate.Subject.ShouldContain("CN=admin");
        (await TokenAsync(connection)).ShouldBeNull();
        connection.Namespace.ShouldBe("default");
    }

    [Fact]
    public async Task LoadKubeconfig_ReadsFilesRelativeToTheKubeconfig_WhenPathsGiven()
    {
        Write("pki/ca.crt", _certificates.CaPem);
        Write("pki/client.crt", _certificates.ClientCertificatePem);
        Write("pki/client.key", _certificates.ClientKeyPem);
        Write("token", "from-file\n");
        var path = Write("config", """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters:
            - name: k
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: pki/ca.crt
            contexts:
            - name: c
              context:
                cluster: k
                user: u
                namespace: ignored
            users:
            - name: u
              user:
                client-certificate: pki/client.crt
                client-key: pki/client.key
                tokenFile: token
            """);

        var connection = KubernetesTargetLoader.LoadKubeconfig(path, "override", "test");

        connection.Configuration.SslCaCerts.ShouldNotBeNull().ShouldHaveSingleItem().Thumbprint.ShouldBe(_certificates.Ca.Thumbprint);
        ClientCertificate(connection).ShouldNotBeNull().HasPrivateKey.ShouldBeTrue();
        (await TokenAsync(connection)).ShouldBe("from-file");
        connection.Namespace.ShouldBe("override");
    }

    [Fact]
    public void LoadKubeconfig_FailsNamingTheContext_WhenContextMissing()
    {
        var path = Write("config", """
            apiVersion: v1
            current-context: nowhere
            contexts: []
            """);

        var error = Should.Throw<KubernetesConfigException>(() => KubernetesTargetLoader.LoadKubeconfig(path, "", "APP_KUBECONFIG"));

        error.Message.ShouldContain("no context named 'nowhere'");
        error.Message.ShouldContain(path);
    }

    [Fact]
    public async Task Load_UsesTheServiceAccount_WhenInAPod()
    {
        var account = Path.Combine(_folder, "serviceaccount");
        Write("serviceaccount/token", "first-token");
        Write("serviceaccount/namespace", "computesandbox\n");
        Write("serviceaccount/ca.crt", _certificates.CaPem);
        var environment = new Dictionary<string, string>
        {
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
            ["POD_NAME"] = "computesandbox-api-7d9f-abcde",
            ["HOSTNAME"] = "not-this",
            ["KUBECONFIG"] = "/nonexistent/kubeconfig",
        };

        var connection = KubernetesTargetLoader.Load("", "", environment.GetValueOrDefault, account);
        var before = await TokenAsync(connection);
        File.WriteAllText(Path.Combine(account, "token"), "rotated-token");
        var after = await TokenAsync(connection);

        connection.InCluster.ShouldBeTrue();
        connection.Server.ShouldBe(new Uri("https://10.96.0.1:443/"));
        connection.Namespace.ShouldBe("computesandbox");
        connection.OwnPodName.ShouldBe("computesandbox-api-7d9f-abcde");
        connection.Configuration.SslCaCerts.ShouldNotBeNull().ShouldHaveSingleItem().Thumbprint.ShouldBe(_certificates.Ca.Thumbprint);
        before.ShouldBe("first-token");
        after.ShouldBe("rotated-token");
    }

    [Fact]
    public void Load_UsesTheFirstKubeconfigOfTheList_WhenNotInAPod()
    {
        var first = Write("first", ClientCertificateKubeconfig("https://first.example:6443"));
        var environment = new Dictionary<string, string> { ["KUBECONFIG"] = $"{first}:{Path.Combine(_folder, "second")}" };

        var connection = KubernetesTargetLoader.Load("", "", environment.GetValueOrDefault, Path.Combine(_folder, "no-account"));

        connection.Server.Host.ShouldBe("first.example");
        connection.InCluster.ShouldBeFalse();
        connection.OwnPodName.ShouldBeNull();
    }

    [Fact]
    public void Load_FailsSayingWhereItLooked_WhenNothingFound()
    {
        var environment = new Dictionary<string, string> { ["HOME"] = _folder };

        var error = Should.Throw<KubernetesConfigException>(() =>
            KubernetesTargetLoader.Load("", "", environment.GetValueOrDefault, Path.Combine(_folder, "no-account")));

        error.Message.ShouldContain("APP_KUBECONFIG");
        error.Message.ShouldContain(Path.Combine(_folder, ".kube", "config"));
    }

    [Fact]
    public async Task CreateHandler_TrustsOnlyTheKubeconfigCa_WhenServerUsesTls()
    {
        await using var api = await FakeKubernetesApi.StartAsync(_certificates.Server);
        var trusted = KubernetesTargetLoader.LoadKubeconfig(
            Write("trusted", ClientCertificateKubeconfig($"https://127.0.0.1:{api.Port}")), "", "test");
        using var otherCa = new TestCertificates("other-ca");
        var untrusted = KubernetesTargetLoader.LoadKubeconfig(
            Write("untrusted", ClientCertificateKubeconfig($"https://127.0.0.1:{api.Port}", otherCa.CaPem)), "", "test");

        using var trustedClient = new KubernetesPods(trusted);
        using var untrustedClient = new KubernetesPods(untrusted);
        var withCa = await trustedClient.PingAsync(Ct);
        var withOtherCa = await untrustedClient.PingAsync(Ct);

        withCa.ShouldBeTrue();
        withOtherCa.ShouldBeFalse();
    }

    /// <summary>The bearer token KubernetesClient sends now, or null when it sends none.</summary>
    private static async Task<string?> TokenAsync(KubernetesTarget target) =>
        target.Configuration.TokenProvider is { } provider
            ? (await provider.GetAuthenticationHeaderAsync(Ct)).Parameter
            : target.Configuration.AccessToken;

    /// <summary>The client certificate (with its key) KubernetesClient presents, from data or files.</summary>
    private static X509Certificate2? ClientCertificate(KubernetesTarget target)
    {
        var configuration = target.Configuration;
        if (configuration.ClientCertificateData is { } data && configuration.ClientCertificateKeyData is { } key)
        {
            return X509Certificate2.CreateFromPem(Decode(data), Decode(key));
        }

        return configuration.ClientCertificateFilePath is { } file && configuration.ClientKeyFilePath is { } keyFile
            ? X509Certificate2.CreateFromPemFile(file, keyFile)
            : null;
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    private string ClientCertificateKubeconfig(string server, string? caPem = null) => $"""
        apiVersion: v1
        kind: Config
        current-context: local
        clusters:
        - name: local
          cluster:
            server: {server}
            certificate-authority-data: {TestCertificates.Base64(caPem ?? _certificates.CaPem)}
        contexts:
        - name: local
          context:
            cluster: local
            user: admin
        users:
        - name: admin
          user:
            client-certificate-data: {TestCertificates.Base64(_certificates.ClientCertificatePem)}
            client-key-data: {TestCertificates.Base64(_certificates.ClientKeyPem)}
        """;

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
