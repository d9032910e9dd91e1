using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Interpreter.Executor.Configuration;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// Finds the cluster with KubernetesClient's loaders: APP_KUBECONFIG when set; else the in-cluster service account
/// when running in a pod; else the first path of KUBECONFIG; else ~/.kube/config. A kubeconfig may authenticate with
/// a token, a token file or a client certificate and trust a CA given as data or file.
/// </summary>
internal static class KubernetesTargetLoader
{
    /// <summary>Where a pod's service-account credentials are mounted.</summary>
    public const string ServiceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Loads the cluster the options and this process's environment point to.</summary>
    public static KubernetesTarget Load(ExecutorOptions options) =>
        Load(options.Kubeconfig, options.KubernetesNamespace, Environment.GetEnvironmentVariable, ServiceAccountFolder);

    /// <summary>Loads with the environment and service-account folder given (tests pass their own).</summary>
    public static KubernetesTarget Load(
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

    /// <summary>
    /// The in-cluster configuration from the service-account folder: what KubernetesClient's InClusterConfig builds,
    /// from a folder that can be given, with the token re-read for every request.
    /// </summary>
    public static KubernetesTarget LoadInCluster(
        string host, string? port, string namespaceOverride, string? ownPodName, string serviceAccountFolder)
    {
        var caFile = Path.Combine(serviceAccountFolder, "ca.crt");
        var namespaceFile = Path.Combine(serviceAccountFolder, "namespace");
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var configuration = new KubernetesClientConfiguration
        {
            Host = $"https://{hostPart}:{(string.IsNullOrEmpty(port) ? "443" : port)}/",
            TokenProvider = new ServiceAccountToken(Path.Combine(serviceAccountFolder, "token")),
            SslCaCerts = TrustedCertificates(caFile),
        };
        var ns = Pick(namespaceOverride, File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : null);
        configuration.Namespace = ns;
        return Finish(configuration, ns, inCluster: true,
            string.IsNullOrWhiteSpace(ownPodName) ? null : ownPodName.Trim(), "in-cluster service account");
    }

    /// <summary>The current context of a kubeconfig file, read by KubernetesClient.</summary>
    public static KubernetesTarget LoadKubeconfig(string path, string namespaceOverride, string source)
    {
        path = ExpandHome(path);
        if (!File.Exists(path))
        {
            throw new KubernetesConfigException($"cannot read kubeconfig {path} ({source}): no such file.");
        }

        KubernetesClientConfiguration configuration;
        string? tokenFile;
        try
        {
            var kubeconfig = KubernetesClientConfiguration.LoadKubeConfig(path);
            RequireNames(kubeconfig, path, source);
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(kubeconfig);
            tokenFile = KubeconfigTokenFile.Find(path, kubeconfig);
        }
        catch (KubernetesConfigException)
        {
            throw;
        }
        catch (KubeConfigException e)
        {
            throw new KubernetesConfigException($"kubeconfig {path} ({source}) is unusable: {e.Message}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Unreadable, not YAML, bad base64 or PEM: KubernetesClient has no one exception type for these.
            throw new KubernetesConfigException($"cannot read kubeconfig {path} ({source}): {e.Message}", e);
        }

        if (tokenFile is not null && string.IsNullOrEmpty(configuration.AccessToken))
        {
            configuration.TokenProvider = new ServiceAccountToken(tokenFile);
        }

        var ns = Pick(namespaceOverride, configuration.Namespace);
        configuration.Namespace = ns;
        return Finish(configuration, ns, inCluster: false, null, $"{source} {path}, context {configuration.CurrentContext}");
    }

    /// <summary>KubernetesClient's own messages name neither the file nor the setting; these say which is wrong.</summary>
    private static void RequireNames(K8SConfiguration kubeconfig, string path, string source)
    {
        var contextName = kubeconfig.CurrentContext
            ?? throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no current-context.");
        var context = kubeconfig.Contexts?.FirstOrDefault(c => c.Name == contextName)
            ?? throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no context named '{contextName}'.");
        if (kubeconfig.Clusters?.Any(c => c.Name == context.ContextDetails?.Cluster) != true)
        {
            throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no cluster named '{context.ContextDetails?.Cluster}'.");
        }

        if (context.ContextDetails?.User is { Length: > 0 } user && kubeconfig.Users?.Any(u => u.Name == user) != true)
        {
            throw new KubernetesConfigException($"kubeconfig {path} ({source}) has no user named '{user}'.");
        }
    }

    private static KubernetesTarget Finish(KubernetesClientConfiguration configuration, string ns, bool inCluster, string? ownPodName, string source)
    {
        // Calls set their own time limits; watches stay open for the whole start-up timeout.
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new KubernetesTarget(configuration, ns, inCluster, ownPodName, source);
    }

    private static X509Certificate2Collection? TrustedCertificates(string caFile)
    {
        if (!File.Exists(caFile))
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(caFile);
        return collection;
    }

    private static string Pick(string namespaceOverride, string? found) =>
        !string.IsNullOrWhiteSpace(namespaceOverride) ? namespaceOverride : string.IsNullOrWhiteSpace(found) ? "default" : found;

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
