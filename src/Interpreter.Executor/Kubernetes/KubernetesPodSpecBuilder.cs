using System.Globalization;
using System.Text.Json.Nodes;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Pool;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The sandbox pod manifest: hardened like the Docker container (non-root, no capabilities, no privilege
/// escalation, read-only root, RuntimeDefault seccomp), emptyDir /workspace and /tmp with size limits, the agent
/// on TCP with a readiness probe, then APP_EXECUTOR_POD_SPEC_EXTRA deep-merged into the spec.
/// </summary>
internal sealed class KubernetesPodSpecBuilder(ExecutorOptions options, SandboxRun run)
{
    /// <summary>The label the network policy lets reach the agent port.</summary>
    public const string AppNameLabel = "app.kubernetes.io/name";

    /// <summary>The value of <see cref="AppNameLabel"/> on sandbox pods.</summary>
    public const string AppName = "computesandbox-executor";

    /// <summary>The memory limit the pod gets, in bytes (for failure messages).</summary>
    public long MemoryLimitBytes =>
        SandboxResources.Parse(options.ContainerResources).MemoryLimit ?? options.MemoryLimit.Bytes;

    /// <summary>
    /// The manifest of a pod named <paramref name="name"/>, owned by <paramref name="owner"/> if given, whose agent
    /// asks every request for <paramref name="agentToken"/> and which runs as <paramref name="uid"/> (its own, from
    /// APP_EXECUTOR_SANDBOX_UIDS, also its group and fsGroup).
    /// </summary>
    public JsonObject Build(string name, OwnerPod? owner, string agentToken, int uid)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject
            {
                [SandboxLabels.Managed] = "true",
                [SandboxLabels.Instance] = options.InstanceName,
                [SandboxLabels.Run] = run.Id,
                [SandboxLabels.Role] = SandboxLabels.ExecutorRole,
                [AppNameLabel] = AppName,
            },
        };
        if (owner is not null)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["name"] = owner.Name,
                ["uid"] = owner.Uid,
                ["controller"] = false,
                ["blockOwnerDeletion"] = false,
            });
        }

        var port = options.AgentPort;
        var spec = new JsonObject
        {
            ["restartPolicy"] = "Never",
            ["automountServiceAccountToken"] = false,
            ["enableServiceLinks"] = false,
            ["terminationGracePeriodSeconds"] = 1,
            ["securityContext"] = new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = uid,
                ["runAsGroup"] = uid,
                ["fsGroup"] = uid,
                ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
            },
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "executor",
                ["image"] = options.Image,
                ["imagePullPolicy"] = options.ImagePullPolicy,
                ["workingDir"] = "/workspace",
                ["env"] = new JsonArray(
                    Env("AGENT_LISTEN", $"0.0.0.0:{port.ToString(CultureInfo.InvariantCulture)}"),
                    Env("AGENT_MAX_OUTPUT_BYTES", options.MaxOutputBytes.ToString(CultureInfo.InvariantCulture)),
                    Env("AGENT_TOKEN", agentToken)),
                ["ports"] = new JsonArray(new JsonObject
                {
                    ["name"] = "agent",
                    ["containerPort"] = port,
                    ["protocol"] = "TCP",
                }),
                ["readinessProbe"] = new JsonObject
                {
                    // The agent answers /health only after its heavy imports, so Ready means ready to execute.
                    ["httpGet"] = new JsonObject { ["path"] = "/health", ["port"] = "agent" },
                    ["periodSeconds"] = 1,
                    ["timeoutSeconds"] = 1,
                    ["successThreshold"] = 1,
                    ["failureThreshold"] = 3,
                },
                ["resources"] = Resources(),
                ["securityContext"] = new JsonObject
                {
                    ["runAsNonRoot"] = true,
                    ["runAsUser"] = uid,
                    ["runAsGroup"] = uid,
                    ["privileged"] = false,
                    ["allowPrivilegeEscalation"] = false,
                    ["readOnlyRootFilesystem"] = true,
                    ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
                    ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
                },
                ["volumeMounts"] = new JsonArray(
                    new JsonObject { ["name"] = "workspace", ["mountPath"] = "/workspace" },
                    new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" }),
            }),
            ["volumes"] = new JsonArray(
                new JsonObject { ["name"] = "workspace", ["emptyDir"] = new JsonObject { ["sizeLimit"] = options.WorkspaceSizeLimit.ToString() } },
                new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject { ["sizeLimit"] = options.TmpSizeLimit.ToString() } }),
        };
        Merge(spec, PodSpecExtra.Parse(options.PodSpecExtra));

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>Merges <paramref name="extra"/> into <paramref name="target"/>: objects recursively, anything else replaces.</summary>
    internal static void Merge(JsonObject target, JsonObject extra)
    {
        foreach (var (key, value) in extra)
        {
            if (value is JsonObject extraObject && target[key] is JsonObject targetObject)
            {
                Merge(targetObject, extraObject);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>APP_EXECUTOR_CONTAINER_RESOURCES as given (Kubernetes quantities), limits filled from the CPU and memory settings.</summary>
    private JsonObject Resources()
    {
        // Parse first: it validates and throws the message naming the variable.
        SandboxResources.Parse(options.ContainerResources);
        var given = string.IsNullOrWhiteSpace(options.ContainerResources)
            ? new JsonObject()
            : (JsonObject)JsonNode.Parse(options.ContainerResources)!;
        var resources = new JsonObject();
        var limits = given["limits"] is JsonObject l ? (JsonObject)l.DeepClone() : new JsonObject();
        limits["cpu"] ??= Cpu(options.CpuLimit);
        limits["memory"] ??= options.MemoryLimit.ToString();
        resources["limits"] = Quantities(limits);
        if (given["requests"] is JsonObject requests)
        {
            resources["requests"] = Quantities((JsonObject)requests.DeepClone());
        }

        return resources;
    }

    /// <summary>Quantities are strings in the API; a bare JSON number (<c>"cpu": 1</c>) is sent as its text.</summary>
    private static JsonObject Quantities(JsonObject values)
    {
        foreach (var key in values.Select(p => p.Key).ToList())
        {
            if (values[key] is JsonValue value && !value.TryGetValue<string>(out _))
            {
                values[key] = value.ToJsonString();
            }
        }

        return values;
    }

    private static string Cpu(double cores)
    {
        var milli = (long)Math.Round(cores * 1000);
        return milli % 1000 == 0
            ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
            : milli.ToString(CultureInfo.InvariantCulture) + "m";
    }

    private static JsonObject Env(string name, string value) => new() { ["name"] = name, ["value"] = value };
}
