using k8s;
using k8s.KubeConfigModels;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The <c>tokenFile</c> of the current context's user (kubectl's field for a token kept in a file), which
/// KubernetesClient's kubeconfig model does not carry: read with KubernetesClient's own YAML reader.
/// </summary>
internal static class KubeconfigTokenFile
{
    /// <summary>The token file's full path (relative to the kubeconfig's folder), or null when the user has none.</summary>
    public static string? Find(string kubeconfigPath, K8SConfiguration kubeconfig)
    {
        var userName = kubeconfig.Contexts?.FirstOrDefault(c => c.Name == kubeconfig.CurrentContext)?.ContextDetails?.User;
        if (userName is null)
        {
            return null;
        }

        var users = KubernetesYaml.Deserialize<Document>(File.ReadAllText(kubeconfigPath)).Users ?? [];
        var file = users.FirstOrDefault(u => u.Name == userName)?.User?.TokenFile;
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        return Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath))!, file);
    }

    /// <summary>The part of a kubeconfig read here.</summary>
    internal sealed class Document
    {
        public List<NamedUser>? Users { get; set; }
    }

    /// <summary>One entry of <c>users</c>.</summary>
    internal sealed class NamedUser
    {
        public string? Name { get; set; }

        public Credentials? User { get; set; }
    }

    /// <summary>The user's <c>tokenFile</c>.</summary>
    internal sealed class Credentials
    {
        public string? TokenFile { get; set; }
    }
}
