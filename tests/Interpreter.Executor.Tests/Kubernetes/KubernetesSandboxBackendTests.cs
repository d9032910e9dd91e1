using System.Text.Json.Nodes;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Kubernetes;
using Interpreter.Executor.Pool;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Executor.Tests.Kubernetes;

/// <summary>The Kubernetes backend against a fake API server in this process: manifests, watches, errors, cleanup.</summary>
public sealed class KubernetesSandboxBackendTests : IAsyncLifetime
{
    private readonly AgentConnector _agents = new();
    private FakeKubernetesApi _api = null!;
    private KubernetesPods? _client;
    private SandboxStarter? _starter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _agents.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task CreateAsync_SendsTheExactManifest_WhenResourcesAndExtraGiven()
    {
        var run = new SandboxRun();
        var backend = Backend(o =>
        {
            o.Image = "localhost/executor:test";
            o.ImagePullPolicy = "Never";
            o.CpuLimit = 1.5;
            o.MemoryLimit = ByteSize.Parse("384Mi");
            o.WorkspaceSizeLimit = ByteSize.Parse("64Mi");
            o.TmpSizeLimit = ByteSize.Parse("16Mi");
            o.MaxOutputBytes = 4096;
            o.ContainerResources = """{"limits":{"memory":"512Mi","ephemeral-storage":"2Gi"},"requests":{"cpu":"250m","memory":256000000}}""";
            o.PodSpecExtra = """{"runtimeClassName":"gvisor","nodeSelector":{"pool":"sandbox"},"securityContext":{"supplementalGroups":[2000]},"terminationGracePeriodSeconds":3}""";
        }, run: run);

        var sandbox = await _starter!.StartAsync(Ct);

        var sent = JsonNode.Parse(_api.Recorded("POST").ShouldHaveSingleItem().Body!)!;
        var port = _api.Port;
        // The bare number 256000000 goes out as KubernetesClient writes every quantity: canonical, 256M (the same amount).
        var expected = JsonNode.Parse($$"""
            {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {
                "name": "{{sandbox.Name}}",
                "labels": {
                  "io.computesandbox.managed": "true",
                  "io.computesandbox.instance": "unit",
                  "io.computesandbox.run": "{{run.Id}}",
                  "io.computesandbox.role": "executor",
                  "app.kubernetes.io/name": "computesandbox-executor"
                }
              },
              "spec": {
                "restartPolicy": "Never",
                "automountServiceAccountToken": false,
                "enableServiceLinks": false,
                "terminationGracePeriodSeconds": 3,
                "securityContext": {
                  "runAsNonRoot": true, "runAsUser": 2000000000, "runAsGroup": 2000000000, "fsGroup": 2000000000,
                  "seccompProfile": { "type": "RuntimeDefault" },
                  "supplementalGroups": [2000]
                },
                "containers": [{
                  "name": "executor",
                  "image": "localhost/executor:test",
                  "imagePullPolicy": "Never",
                  "workingDir": "/workspace",
                  "env": [
                    { "name": "AGENT_LISTEN", "value": "0.0.0.0:{{port}}" },
                    { "name": "AGENT_MAX_OUTPUT_BYTES", "value": "4096" },
                    { "name": "AGENT_TOKEN", "value": "{{sandbox.Agent.Token}}" }
                  ],
                  "ports": [{ "name": "agent", "containerPort": {{port}}, "protocol": "TCP" }],
                  "readinessProbe": {
                    "httpGet": { "path": "/health", "port": "agent" },
                    "periodSeconds": 1, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3
                  },
                  "resources": {
                    "limits": { "memory": "512Mi", "ephemeral-storage": "2Gi", "cpu": "1500m" },
                    "requests": { "cpu": "250m", "memory": "256M" }
                  },
                  "securityContext": {
                    "runAsNonRoot": true, "runAsUser": 2000000000, "runAsGroup": 2000000000,
                    "privileged": false, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                    "capabilities": { "drop": ["ALL"] },
                    "seccompProfile": { "type": "RuntimeDefault" }
                  },
                  "volumeMounts": [
                    { "name": "workspace", "mountPath": "/workspace" },
                    { "name": "tmp", "mountPath": "/tmp" }
                  ]
                }],
                "volumes": [
                  { "name": "workspace", "emptyDir": { "sizeLimit": "64Mi" } },
                  { "name": "tmp", "emptyDir": { "sizeLimit": "16Mi" } }
                ],
                "runtimeClassName": "gvisor",
                "nodeSelector": { "pool": "sandbox" }
              }
            }
            """);
        JsonNode.DeepEquals(sent, expected).ShouldBeTrue($"sent:\n{sent!.ToJsonString()}\nexpected:\n{expected!.ToJsonString()}");
        sandbox.Agent.Token.ShouldNotBeNull().ShouldMatch("^[0-9a-f]{64}$");
    }

    [Fact]
    public async Task CreateAsync_GivesEverySandboxItsOwnAgentToken_WhenCalledTwice()
    {
        var backend = Backend();

        var first = await _starter!.StartAsync(Ct);
        var second = await _starter!.StartAsync(Ct);

        first.Agent.Token.ShouldNotBeNull();
        second.Agent.Token.ShouldNotBeNull();
        first.Agent.Token.ShouldNotBe(second.Agent.Token);
        var sentTokens = _api.Recorded("POST")
            .Select(r => JsonNode.Parse(r.Body!)!["spec"]!["containers"]![0]!["env"]!.AsArray()
                .Single(e => e!["name"]!.GetValue<string>() == "AGENT_TOKEN")!["value"]!.GetValue<string>())
            .ToList();
        sentTokens.ShouldBe([first.Agent.Token!, second.Agent.Token!]);
    }

    [Fact]
    public async Task CreateAsync_GivesEveryLivePodItsOwnUid_WhenSandboxesOverlapAndReturnsItAtDestroy()
    {
        var backend = Backend(o => o.SandboxUids = "3000-3001");

        var first = await _starter!.StartAsync(Ct);
        var second = await _starter!.StartAsync(Ct);
        var exhausted = await Should.ThrowAsync<SandboxStartException>(() => _starter!.StartAsync(Ct));
        await backend.DestroyAsync(first, Ct);
        var third = await _starter!.StartAsync(Ct);

        var uids = _api.Recorded("POST")
            .Select(r => JsonNode.Parse(r.Body!)!["spec"]!["securityContext"]!["runAsUser"]!.GetValue<int>())
            .ToList();
        uids.ShouldBe([3000, 3001, 3000]);
        exhausted.Message.ShouldContain("APP_EXECUTOR_SANDBOX_UIDS");
        second.Name.ShouldNotBe(third.Name);
    }

    [Fact]
    public async Task CreateAsync_UsesDefaultLimits_WhenNoResourcesGiven()
    {
        var backend = Backend(o =>
        {
            o.CpuLimit = 2;
            o.MemoryLimit = ByteSize.Parse("1Gi");
        });

        await _starter!.StartAsync(Ct);

        var sent = JsonNode.Parse(_api.Recorded("POST").ShouldHaveSingleItem().Body!)!;
        var resources = sent["spec"]!["containers"]![0]!["resources"]!;
        JsonNode.DeepEquals(resources, JsonNode.Parse("""{"limits":{"cpu":"2","memory":"1Gi"}}""")).ShouldBeTrue(resources.ToJsonString());
        sent["metadata"]!["ownerReferences"].ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_ReturnsOnTheWatchedReadyEvent_WithoutPolling()
    {
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);

        sandbox.Agent.BaseAddress.ShouldBe(new Uri($"http://127.0.0.1:{_api.Port}/"));
        sandbox.Agent.UnixSocketPath.ShouldBeNull();
        sandbox.Id.ShouldBe(sandbox.Name);
        sandbox.Name.ShouldStartWith("code-executor-");
        _api.Pod(sandbox.Name)!["status"]!["podIP"]!.GetValue<string>().ShouldBe("127.0.0.1");
        var watch = _api.Recorded("GET", r => r.IsWatch).ShouldHaveSingleItem();
        watch.Query.ShouldContain("fieldSelector=metadata.name%3D" + sandbox.Name);
        watch.Query.ShouldContain("resourceVersion=");
        watch.Path.ShouldBe("/api/v1/namespaces/sandboxes/pods");
        _api.Recorded("GET", r => r.Path.EndsWith("/" + sandbox.Name, StringComparison.Ordinal)).ShouldBeEmpty("no polling of the pod");
        _api.Recorded("GET", r => r.Path == "/health").ShouldHaveSingleItem();
        _api.Requests.ShouldAllBe(r => r.Path == "/health" || r.Authorization == "Bearer fake-token");
    }

    [Fact]
    public async Task DestroyAsync_DeletesThePod_WhenSandboxUsed()
    {
        var backend = Backend();
        var sandbox = await _starter!.StartAsync(Ct);

        await backend.DestroyAsync(sandbox, Ct);
        await backend.DestroyAsync(sandbox, Ct);

        _api.PodNames().ShouldBeEmpty();
        var deletes = _api.Recorded("DELETE");
        deletes.Count.ShouldBe(2);
        deletes.ShouldAllBe(d => d.Path == "/api/v1/namespaces/sandboxes/pods/" + sandbox.Name && d.Query.Contains("gracePeriodSeconds=0"));
    }

    [Fact]
    public async Task RemoveLeftoversAsync_DeletesOnlyThisInstancesPods_WhenOthersExist()
    {
        _api.AddPod("code-executor-old1", Labels("unit", "oldrun"));
        _api.AddPod("code-executor-old2", Labels("unit", "oldrun2"));
        _api.AddPod("code-executor-other", Labels("someone-else", "oldrun"));
        _api.AddPod("unrelated", new Dictionary<string, string> { [SandboxLabels.Instance] = "unit" });
        var backend = Backend();

        var removed = await backend.RemoveLeftoversAsync(Ct);

        removed.ShouldBe(2);
        _api.PodNames().ShouldBe(["code-executor-other", "unrelated"]);
        _api.Recorded("GET", r => !r.IsWatch && r.Path.EndsWith("/pods", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .Query.ShouldBe("?labelSelector=io.computesandbox.managed%3Dtrue%2Cio.computesandbox.instance%3Dunit");
    }

    [Fact]
    public async Task RemoveLeftoversAsync_SparesPodsOfAnotherLiveReplica_WhenInCluster()
    {
        _api.AddPod("api-self", new Dictionary<string, string>(), uid: "uid-self");
        _api.AddPod("api-other", new Dictionary<string, string>(), uid: "uid-other");
        _api.AddPod("code-executor-other-replica", Labels("unit", "r1"), owner: ("api-other", "uid-other"));
        _api.AddPod("code-executor-dead-replica", Labels("unit", "r2"), owner: ("api-gone", "uid-gone"));
        _api.AddPod("code-executor-reused-name", Labels("unit", "r3"), owner: ("api-other", "uid-of-an-earlier-api-other"));
        _api.AddPod("code-executor-my-earlier-process", Labels("unit", "r4"), owner: ("api-self", "uid-self"));
        _api.AddPod("code-executor-no-owner", Labels("unit", "r5"));
        var backend = Backend(inClusterPod: "api-self");

        var removed = await backend.RemoveLeftoversAsync(Ct);

        removed.ShouldBe(4);
        _api.PodNames().ShouldBe(["api-other", "api-self", "code-executor-other-replica"]);
    }

    [Fact]
    public async Task CreateAsync_WatchesAgain_WhenWatchRequestFails()
    {
        _api.WatchesFailing = 2;
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);

        _api.Recorded("GET", r => r.IsWatch).Count.ShouldBe(3);
        _api.PodNames().ShouldBe([sandbox.Name]);
    }

    [Fact]
    public async Task RemoveOwnAsync_DeletesOnlyThisRunsPods_WhenEarlierRunsLeftSome()
    {
        var run = new SandboxRun();
        var backend = Backend(run: run);
        var mine = await _starter!.StartAsync(Ct);
        _api.AddPod("code-executor-earlier", Labels("unit", "earlier-run"));

        var removed = await backend.RemoveOwnAsync(Ct);

        removed.ShouldBe(1);
        _api.PodNames().ShouldBe(["code-executor-earlier"]);
        _api.Pod(mine.Name).ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_RetriesWithANewName_WhenNameTaken()
    {
        _api.CreateAnswers.Enqueue((409, false));
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);

        var posts = _api.Recorded("POST");
        posts.Count.ShouldBe(2);
        var firstName = JsonNode.Parse(posts[0].Body!)!["metadata"]!["name"]!.GetValue<string>();
        firstName.ShouldNotBe(sandbox.Name);
        _api.Recorded("DELETE").ShouldBeEmpty("a 409 name belongs to someone else");
        _api.PodNames().ShouldBe([sandbox.Name]);
    }

    [Fact]
    public async Task CreateAsync_FailsNamingRbac_WhenForbidden()
    {
        _api.CreateAnswers.Enqueue((403, false));
        var backend = Backend();

        var error = await Should.ThrowAsync<SandboxStartException>(() => _starter!.StartAsync(Ct));

        error.Message.ShouldContain("RBAC");
        error.Message.ShouldContain("namespace 'sandboxes'");
        error.Message.ShouldContain("create");
        _api.Recorded("POST").Count.ShouldBe(1);
        _api.PodNames().ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateAsync_RetriesAndDeletesTheUnknownPod_WhenServerFails()
    {
        _api.CreateAnswers.Enqueue((500, true));
        _api.CreateAnswers.Enqueue((503, false));
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);
        await backend.DestroyAsync(sandbox, Ct);

        var names = _api.Recorded("POST").Select(p => JsonNode.Parse(p.Body!)!["metadata"]!["name"]!.GetValue<string>()).ToList();
        names.Count.ShouldBe(3);
        names.Distinct().Count().ShouldBe(3);
        var deleted = _api.Recorded("DELETE").Select(d => d.Path.Split('/')[^1]).ToList();
        deleted.ShouldContain(names[0], "the 500 made the pod: it must be deleted");
        deleted.ShouldContain(names[1]);
        _api.PodNames().ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateAsync_GivesUpWithoutLeaks_WhenServerKeepsFailing()
    {
        for (var i = 0; i < 5; i++)
        {
            _api.CreateAnswers.Enqueue((500, true));
        }

        var backend = Backend();

        var error = await Should.ThrowAsync<SandboxStartException>(() => _starter!.StartAsync(Ct));

        error.Message.ShouldContain("after 5 attempts");
        _api.Recorded("POST").Count.ShouldBe(5);
        _api.PodNames().ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateAsync_ResumesTheWatch_WhenItDropsMidway()
    {
        _api.DropWatchAfterEvents.Enqueue(1);
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);

        var watches = _api.Recorded("GET", r => r.IsWatch);
        watches.Count.ShouldBe(2);
        var podReads = _api.Recorded("GET", r => r.Path.EndsWith("/" + sandbox.Name, StringComparison.Ordinal));
        podReads.Count.ShouldBe(1, "one read to learn the version to watch on from");
        var resumedFrom = _api.Pod(sandbox.Name)!["metadata"]!["resourceVersion"]!.GetValue<string>();
        resumedFrom.ShouldNotBeNullOrEmpty();
        watches[1].Query.ShouldNotBe(watches[0].Query);
        _api.PodNames().ShouldBe([sandbox.Name]);
    }

    [Fact]
    public async Task CreateAsync_ResumesTheWatch_WhenVersionGone()
    {
        _api.WatchesGone = 1;
        var backend = Backend();

        var sandbox = await _starter!.StartAsync(Ct);

        _api.Recorded("GET", r => r.IsWatch).Count.ShouldBe(2);
        _api.PodNames().ShouldBe([sandbox.Name]);
    }

    [Fact]
    public async Task CreateAsync_FailsAndDeletesThePod_WhenImageNeverPull()
    {
        _api.Start = PodStart.ImageNeverPull;
        var backend = Backend(o => o.Image = "img:missing");

        var error = await Should.ThrowAsync<SandboxStartException>(() => _starter!.StartAsync(Ct));

        error.Message.ShouldContain("ErrImageNeverPull");
        error.Message.ShouldContain("APP_EXECUTOR_IMAGE 'img:missing'");
        _api.PodNames().ShouldBeEmpty();
        _api.Recorded("DELETE").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task CreateAsync_FailsAndDeletesThePod_WhenNeverReadyWithinStartupTimeout()
    {
        _api.Start = PodStart.StaysPending;
        // Long enough that the create itself is done within it on a loaded machine, so the time runs out waiting.
        var backend = Backend(o => o.StartupTimeoutSeconds = 5);

        var error = await Should.ThrowAsync<SandboxStartException>(() => _starter!.StartAsync(Ct));

        error.Message.ShouldContain("APP_EXECUTOR_STARTUP_TIMEOUT");
        error.Message.ShouldContain("Unschedulable");
        _api.PodNames().ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateAsync_SetsOwnerReference_WhenInClusterAndOwnPodFound()
    {
        _api.AddPod("api-0", new Dictionary<string, string>(), uid: "3c0a5b7e-0000-4000-8000-000000000001");
        var backend = Backend(inClusterPod: "api-0");

        await _starter!.StartAsync(Ct);

        var sent = JsonNode.Parse(_api.Recorded("POST").ShouldHaveSingleItem().Body!)!;
        var expected = JsonNode.Parse("""
            [{"apiVersion":"v1","kind":"Pod","name":"api-0","uid":"3c0a5b7e-0000-4000-8000-000000000001","controller":false,"blockOwnerDeletion":false}]
            """);
        JsonNode.DeepEquals(sent["metadata"]!["ownerReferences"], expected).ShouldBeTrue(sent["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task CreateAsync_GoesOnWithoutOwner_WhenOwnPodNotFound()
    {
        var backend = Backend(inClusterPod: "api-missing");

        await _starter!.StartAsync(Ct);

        var sent = JsonNode.Parse(_api.Recorded("POST").ShouldHaveSingleItem().Body!)!;
        sent["metadata"]!["ownerReferences"].ShouldBeNull();
    }

    [Fact]
    public async Task DescribeFailureAsync_NamesTheMemoryLimit_WhenContainerOomKilled()
    {
        var backend = Backend(o => o.MemoryLimit = ByteSize.Parse("384Mi"));
        var sandbox = await _starter!.StartAsync(Ct);
        _api.UpdatePod(sandbox.Name, pod => pod["status"]!["containerStatuses"]![0]!["state"] = new JsonObject
        {
            ["terminated"] = new JsonObject { ["reason"] = "OOMKilled", ["exitCode"] = 137 },
        });

        var why = await backend.DescribeFailureAsync(sandbox, Ct);

        why.ShouldBe("the sandbox exceeded its memory limit (384Mi)");
    }

    [Fact]
    public async Task DescribeFailureAsync_SaysEvicted_WhenWorkspaceOverflowed()
    {
        var backend = Backend();
        var sandbox = await _starter!.StartAsync(Ct);
        _api.UpdatePod(sandbox.Name, pod => pod["status"] = new JsonObject
        {
            ["phase"] = "Failed",
            ["reason"] = "Evicted",
            ["message"] = "Usage of EmptyDir volume \"workspace\" exceeds the limit \"64Mi\".",
        });

        var why = await backend.DescribeFailureAsync(sandbox, Ct);

        why.ShouldNotBeNull().ShouldStartWith("the sandbox was evicted by Kubernetes (Usage of EmptyDir volume \"workspace\"");
    }

    [Fact]
    public async Task DescribeFailureAsync_SaysGone_WhenPodDeleted()
    {
        var backend = Backend();
        var sandbox = await _starter!.StartAsync(Ct);
        await backend.DestroyAsync(sandbox, Ct);

        var why = await backend.DescribeFailureAsync(sandbox, Ct);

        why.ShouldBe("the sandbox no longer exists");
    }

    [Fact]
    public async Task IsAvailableAsync_IsTrue_WhenServerAnswersAndFalse_WhenItStopped()
    {
        var backend = Backend();

        var before = await backend.IsAvailableAsync(Ct);
        await _api.DisposeAsync();
        var after = await backend.IsAvailableAsync(Ct);
        _api = await FakeKubernetesApi.StartAsync();

        before.ShouldBeTrue();
        after.ShouldBeFalse();
    }

    private static Dictionary<string, string> Labels(string instance, string run) => new()
    {
        [SandboxLabels.Managed] = "true",
        [SandboxLabels.Instance] = instance,
        [SandboxLabels.Run] = run,
        [SandboxLabels.Role] = SandboxLabels.ExecutorRole,
    };

    private KubernetesSandboxBackend Backend(Action<ExecutorOptions>? configure = null, SandboxRun? run = null, string? inClusterPod = null)
    {
        var options = new ExecutorOptions
        {
            InstanceName = "unit",
            AgentPort = _api.Port,
            StartupTimeoutSeconds = 30,
        };
        configure?.Invoke(options);
        var target = new KubernetesTarget(
            new KubernetesClientConfiguration { Host = _api.BaseAddress.ToString(), AccessToken = "fake-token" },
            "sandboxes", InCluster: inClusterPod is not null, OwnPodName: inClusterPod, Source: "test");
        _client = new KubernetesPods(target);
        var backend = new KubernetesSandboxBackend(_client, run ?? new SandboxRun(), Options.Create(options),
            NullLogger<KubernetesSandboxBackend>.Instance);
        // The pool's start: the backend's create, then the one wait for the agent.
        _starter = new SandboxStarter(backend, _agents, Options.Create(options), NullLogger<SandboxStarter>.Instance);
        return backend;
    }
}
