using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Interpreter.Executor.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// Finds the cluster: APP_KUBECONFIG when set; else the in-cluster service account when running in a pod;
/// else the first path of KUBECONFIG; else ~/.kube/config. Kubeconfig files may authenticate with a token,
/// a token file or a client certificate, and trust a CA given as data or file.
/// </summary>
public static class KubernetesConfigLoader
{
    /// <summary>Where a pod's service-account credentials are mounted.</summary>
    public const string ServiceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Loads the connection the options and this process's environment point to.</summary>
    public static KubernetesConnection Load(ExecutorOptions options) =>
        Load(options.Kubeconfig, options.KubernetesNamespace, Environment.GetEnvironmentVariable, ServiceAccountFolder);

    /// <summary>Loads with the environment and service-account folder given (tests pass their own).</summary>
    public static KubernetesConnection Load(
        string kubeconfig, string namespaceOverride, Func<string, string?> environment, string serviceAccountFolder)
    {
        if (!string.IsNullOrWhiteSpace(kubeconfig))
        {
            return LoadKubeconfig(kubeconfig, namespaceOverride, "APP_KUBECONFIG");
        }

        if (environment("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host
            && File.Exists(Path.Combine(serviceAccountFolder, "token")))
        {
            return LoadInCluster(host, environment("KUBERNETES_SERVICE_PORT"), namespaceOverride,
                environment("POD_NAME") is { Length: > 0 } pod ? pod : environment("HOSTNAME"), serviceAccountFolder);
        }

        if (environment("KUBECONFIG") is { Length: > 0 } list
            && list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var first, ..])
        {
            return LoadKubeconfig(first, namespaceOverride, "KUBECONFIG, as APP_KUBECONFIG is empty");
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        if (!File.Exists(path))
        {
            throw new KubernetesConfigException(
                $"found no cluster: not in a pod (no KUBERNETES_SERVICE_HOST and service-account token), no APP_KUBECONFIG or KUBECONFIG, and no {path}.");
        }

        return LoadKubeconfig(path, namespaceOverride, "~/.kube/config, as APP_KUBECONFIG and KUBECONFIG are empty");
    }

    /// <summary>The in-cluster configuration from the service-account folder.</summary>
    public static KubernetesConnection LoadInCluster(
        string host, string? port, string namespaceOverride, string? ownPodName, string serviceAccountFolder)
    {
        var tokenFile = Path.Combine(serviceAccountFolder, "token");
        var caFile = Path.Combine(serviceAccountFolder, "ca.crt");
        var namespaceFile = Path.Combine(serviceAccountFolder, "namespace");
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var trusted = new X509Certificate2Collection();
        if (File.Exists(caFile))
        {
            trusted.ImportFromPemFile(caFile);
        }

        return new KubernetesConnection
        {
            Server = new Uri($"https://{hostPart}:{(string.IsNullOrEmpty(port) ? "443" : port)}/"),
            Namespace = Pick(namespaceOverride, File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : null),
            TokenFile = tokenFile,
            Token = File.ReadAllText(tokenFile).Trim(),
            TrustedCertificates = trusted,
            InCluster = true,
            OwnPodName = string.IsNullOrWhiteSpace(ownPodName) ? null : ownPodName.Trim(),
            Source = "in-cluster service account",
        };
    }

    /// <summary>The current context of a kubeconfig file.</summary>
    public static KubernetesConnection LoadKubeconfig(string path, string namespaceOverride, string source)
    {
        path = ExpandHome(path);
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(path, Encoding.UTF8);
            stream.Load(reader);
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new KubernetesConfigException($"kubeconfig {path} ({source}) is empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            throw new KubernetesConfigException($"cannot read kubeconfig {path} ({source}).", e);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var contextName = Scalar(root, "current-context")
            ?? throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no current-context.");
        var context = Named(root, "contexts", "context", contextName, path, source);
        var cluster = Named(root, "clusters", "cluster", Scalar(context, "cluster") ?? "", path, source);
        var user = Scalar(context, "user") is { } userName ? Named(root, "users", "user", userName, path, source) : new YamlMappingNode();

        var server = Scalar(cluster, "server")
            ?? throw new KubernetesConfigException($"kubeconfig {path} ({source}): cluster of context '{contextName}' has no server.");
        try
        {
            return new KubernetesConnection
            {
                Server = new Uri(server.EndsWith('/') ? server : server + "/"),
                Namespace = Pick(namespaceOverride, Scalar(context, "namespace")),
                Token = Scalar(user, "token"),
                TokenFile = Scalar(user, "tokenFile") is { } tokenFile ? Resolve(folder, tokenFile) : null,
                ClientCertificate = ClientCertificate(user, folder),
                TrustedCertificates = TrustedCertificates(cluster, folder),
                SkipTlsVerify = Scalar(cluster, "insecure-skip-tls-verify") is "true",
                Source = $"{source} {path}, context {contextName}",
            };
        }
        catch (Exception e) when (e is CryptographicException or IOException or FormatException or UriFormatException)
        {
            throw new KubernetesConfigException($"kubeconfig {path} ({source}), context '{contextName}' is unusable.", e);
        }
    }

    private static X509Certificate2? ClientCertificate(YamlMappingNode user, string folder)
    {
        var certificate = Pem(user, "client-certificate", folder);
        var key = Pem(user, "client-key", folder);
        return (certificate, key) switch
        {
            (null, null) => null,
            ({ } c, { } k) => X509Certificate2.CreateFromPem(c, k),
            _ => throw new FormatException("a client certificate needs both client-certificate(-data) and client-key(-data)"),
        };
    }

    private static X509Certificate2Collection TrustedCertificates(YamlMappingNode cluster, string folder)
    {
        var collection = new X509Certificate2Collection();
        if (Pem(cluster, "certificate-authority", folder) is { } pem)
        {
            collection.ImportFromPem(pem);
        }

        return collection;
    }

    /// <summary>PEM text from <c>key-data</c> (base64) or the file <c>key</c> names.</summary>
    private static string? Pem(YamlMappingNode node, string key, string folder)
    {
        if (Scalar(node, key + "-data") is { Length: > 0 } data)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }

        return Scalar(node, key) is { Length: > 0 } file ? File.ReadAllText(Resolve(folder, file)) : null;
    }

    private static YamlMappingNode Named(YamlMappingNode root, string list, string inner, string name, string path, string source)
    {
        if (root.Children.TryGetValue(new YamlScalarNode(list), out var node) && node is YamlSequenceNode items)
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") == name)
                {
                    return item.Children.TryGetValue(new YamlScalarNode(inner), out var value) && value is YamlMappingNode mapping
                        ? mapping
                        : new YamlMappingNode();
                }
            }
        }

        throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no {inner} named '{name}'.");
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } text } ? text : null;

    private static string Pick(string namespaceOverride, string? found) =>
        !string.IsNullOrWhiteSpace(namespaceOverride) ? namespaceOverride : string.IsNullOrWhiteSpace(found) ? "default" : found;

    private static string Resolve(string folder, string file) => Path.IsPathRooted(file) ? file : Path.Combine(folder, ExpandHome(file));

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
