using System.Text.Json.Nodes;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Kubernetes;

/// <summary>The pool's promises on the real cluster: labelled pods, none left after shutdown, leftovers swept.</summary>
[Collection(KubernetesCollection.Name)]
public sealed class KubernetesPoolTests(KubernetesFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pool_LeavesNoPods_WhenFactoryStops()
    {
        var pods = fixture.Pods;
        var api = new SandboxApiFactory(KubernetesCluster.Settings());
        string instance;
        await using (api)
        {
            instance = api.InstanceName;
            var client = await api.StartAsync(ready: 2, Ct);
            var result = await client.ExecuteAsync("print('once')", Ct);
            result.Stdout.ShouldBe("once\n");
            var live = await KubernetesCluster.PodsOfAsync(pods, instance, Ct);
            live.Count.ShouldBeGreaterThanOrEqualTo(2);
            live.ShouldAllBe(p => p.Metadata.Labels![SandboxLabels.Role] == "executor"
                && p.Metadata.Labels!["app.kubernetes.io/name"] == "computesandbox-executor"
                && p.Metadata.Labels![SandboxLabels.Managed] == "true");
            client.Dispose();
        }

        await Eventually.TrueAsync(async () => (await KubernetesCluster.PodsOfAsync(pods, instance, Ct)).Count == 0,
            TimeSpan.FromSeconds(60), $"no pods labelled {SandboxLabels.Instance}={instance}", Ct);
    }

    [Fact]
    public async Task Pool_RemovesLeftoverPods_WhenTheSameInstanceStartsAgain()
    {
        var pods = fixture.Pods;
        var instance = "it-k8s-" + Guid.NewGuid().ToString("N")[..8];
        var settings = KubernetesCluster.Settings(new Dictionary<string, string> { ["App:INSTANCE_NAME"] = instance });
        var leftover = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "code-executor-leftover-" + instance[7..],
                ["labels"] = new JsonObject
                {
                    [SandboxLabels.Managed] = "true",
                    [SandboxLabels.Instance] = instance,
                    [SandboxLabels.Run] = "crashed-run",
                    [SandboxLabels.Role] = SandboxLabels.ExecutorRole,
                },
            },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = "Never",
                ["automountServiceAccountToken"] = false,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "leftover",
                    ["image"] = TestImage.Name,
                    ["imagePullPolicy"] = KubernetesCluster.PullPolicy,
                    ["command"] = new JsonArray("sleep", "300"),
                    ["securityContext"] = new JsonObject { ["runAsUser"] = 1000, ["runAsNonRoot"] = true },
                }),
            },
        };
        var made = await pods.CreateAsync(leftover, Ct);

        await using (var api = new SandboxApiFactory(settings))
        {
            using var client = await api.StartAsync(ready: 1, Ct);
            (await pods.GetAsync(made.Metadata.Name, Ct)).ShouldBeNull("the start-up sweep removes the leftover");
        }

        await Eventually.TrueAsync(async () => (await KubernetesCluster.PodsOfAsync(pods, instance, Ct)).Count == 0,
            TimeSpan.FromSeconds(60), $"no pods labelled {SandboxLabels.Instance}={instance}", Ct);
    }
}
