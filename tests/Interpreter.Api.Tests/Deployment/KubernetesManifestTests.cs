using System.Diagnostics;
using Interpreter.Executor.Pool;
using Shouldly;
using YamlDotNet.RepresentationModel;

namespace Interpreter.Api.Tests.Deployment;

/// <summary>
/// The promises k8s/ makes, read from the manifests themselves: the API's rights, the isolation of executor pods,
/// the API's hardening and probes, and that kustomize renders both the base and the local overlay.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Root = FindRepositoryRoot();

    [Fact]
    public void Role_AllowsOnlyThePodLifecycle_WhenRead()
    {
        var role = Manifest("k8s/base/role.yaml");

        var rules = (YamlSequenceNode)role["rules"];

        var rule = (YamlMappingNode)rules.Children.ShouldHaveSingleItem();
        Strings(rule["apiGroups"]).ShouldBe([""]);
        Strings(rule["resources"]).ShouldBe(["pods"]);
        Strings(rule["verbs"]).ShouldBe(["create", "get", "list", "watch", "delete"], ignoreOrder: true);
    }

    [Fact]
    public void ExecutorNetworkPolicy_AdmitsOnlyTheApiOnTheAgentPortAndAllowsNoEgress_WhenRead()
    {
        var policy = Manifest("k8s/base/networkpolicy-executor.yaml");

        var spec = (YamlMappingNode)policy["spec"];

        Scalar(spec, "podSelector", "matchLabels", SandboxLabels.Role).ShouldBe(SandboxLabels.ExecutorRole);
        Strings(spec["policyTypes"]).ShouldBe(["Ingress", "Egress"], ignoreOrder: true);
        spec.Children.ContainsKey("egress").ShouldBeFalse("no egress rule means no egress at all");
        var ingress = (YamlMappingNode)((YamlSequenceNode)spec["ingress"]).Children.ShouldHaveSingleItem();
        var from = (YamlMappingNode)((YamlSequenceNode)ingress["from"]).Children.ShouldHaveSingleItem();
        Scalar(from, "podSelector", "matchLabels", "app.kubernetes.io/name").ShouldBe(ApiPodLabel());
        var port = (YamlMappingNode)((YamlSequenceNode)ingress["ports"]).Children.ShouldHaveSingleItem();
        Scalar(port, "port").ShouldBe("8000");
    }

    [Fact]
    public void ApiDeployment_RunsHardenedWithProbesResourcesAndItsPodName_WhenRead()
    {
        var deployment = Manifest("k8s/base/deployment.yaml");

        var pod = (YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"];
        var podSpec = (YamlMappingNode)pod["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)podSpec["containers"]).Children.ShouldHaveSingleItem();

        Scalar(podSpec, "securityContext", "runAsNonRoot").ShouldBe("true");
        Scalar(podSpec, "securityContext", "seccompProfile", "type").ShouldBe("RuntimeDefault");
        Scalar(podSpec, "serviceAccountName").ShouldBe(Scalar(Manifest("k8s/base/serviceaccount.yaml"), "metadata", "name"));
        Scalar(container, "securityContext", "allowPrivilegeEscalation").ShouldBe("false");
        Scalar(container, "securityContext", "readOnlyRootFilesystem").ShouldBe("true");
        Strings(((YamlMappingNode)((YamlMappingNode)container["securityContext"])["capabilities"])["drop"]).ShouldBe(["ALL"]);
        Scalar(container, "livenessProbe", "httpGet", "path").ShouldBe("/healthz");
        Scalar(container, "readinessProbe", "httpGet", "path").ShouldBe("/readyz");
        Scalar(container, "resources", "limits", "memory").ShouldNotBeNullOrEmpty();
        Scalar(container, "resources", "requests", "cpu").ShouldNotBeNullOrEmpty();
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>();
        var podName = env.Single(e => Scalar(e, "name") == "POD_NAME");
        Scalar(podName, "valueFrom", "fieldRef", "fieldPath").ShouldBe("metadata.name");
        Scalar(pod, "metadata", "labels", "app.kubernetes.io/name").ShouldBe(ApiPodLabel());
    }

    [Fact]
    public void Base_ListsEveryManifestInItsFolder_WhenRead()
    {
        var kustomization = Manifest("k8s/base/kustomization.yaml");

        var listed = Strings(kustomization["resources"]);
        var present = Directory.GetFiles(Path.Combine(Root, "k8s", "base"), "*.yaml")
            .Select(Path.GetFileName)
            .Where(n => n != "kustomization.yaml");

        listed.ShouldBe(present, ignoreOrder: true);
        // `bases`, not `resources`: the kustomize inside kubectl 1.20 takes folders only there.
        Strings(Manifest("k8s/kustomization.yaml")["bases"]).ShouldBe(["base"]);
    }

    [Theory]
    [InlineData("k8s")]
    [InlineData("k8s/overlays/local")]
    public async Task Kustomize_RendersEveryKind_WhenKubectlIsInstalled(string folder)
    {
        var kubectl = FindKubectl();
        Assert.SkipWhen(kubectl is null, "kubectl is not installed here; `kubectl kustomize k8s/` is checked where it is.");

        var info = new ProcessStartInfo(kubectl!, ["kustomize", Path.Combine(Root, folder)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(0, await errors);
        var rendered = await output;
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "Role", "RoleBinding", "PersistentVolumeClaim", "Deployment", "Service", "NetworkPolicy" })
        {
            rendered.ShouldContain($"kind: {kind}\n");
        }
    }

    private static string ApiPodLabel() =>
        Scalar(Manifest("k8s/base/deployment.yaml"), "spec", "selector", "matchLabels", "app.kubernetes.io/name");

    private static YamlMappingNode Manifest(string relativePath)
    {
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.ShouldHaveSingleItem().RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            var mapping = current.ShouldBeOfType<YamlMappingNode>($"'{key}' sits under a mapping");
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var next).ShouldBeTrue($"key '{key}' is present");
            current = next!;
        }

        return current.ShouldBeOfType<YamlScalarNode>().Value ?? "";
    }

    private static string[] Strings(YamlNode node) =>
        ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToArray();

    private static string? FindKubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists);

    private static string FindRepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ComputeSandbox.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("the repository root (ComputeSandbox.sln) above the test binaries");
    }
}
