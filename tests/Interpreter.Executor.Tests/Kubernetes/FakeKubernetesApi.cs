using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography.X509Certificates;

namespace Interpreter.Executor.Tests.Kubernetes;

/// <summary>
/// A Kubernetes API server in the test process on 127.0.0.1:0 (the pattern of the official client's tests): pods
/// in memory, create/get/list/watch/delete with label and field selectors, a chunked watch stream, and a stand-in
/// "kubelet" that moves a new pod on only while someone watches it. It records every request and can be told to
/// answer creates with an error status, to drop watches, or to answer a watch with 410 Gone. It also serves the
/// agent's /health, so a pod "IP" of 127.0.0.1 with this server's port reaches a healthy agent.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, string Name, JsonObject Pod)> _events = [];
    private readonly Dictionary<string, Queue<Action<JsonObject>>> _pendingSteps = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version = 100;

    private FakeKubernetesApi(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Answers for the next creates: a status code, and whether the pod is made anyway (an unknown outcome).</summary>
    public ConcurrentQueue<(int Status, bool CreateAnyway)> CreateAnswers { get; } = new();

    /// <summary>Next watches to cut after this many events (0: cut before any).</summary>
    public ConcurrentQueue<int> DropWatchAfterEvents { get; } = new();

    /// <summary>How many next watches answer with an ERROR event 410 Gone.</summary>
    public int WatchesGone { get; set; }

    /// <summary>How many next watch requests answer 500 before any stream.</summary>
    public int WatchesFailing { get; set; }

    public PodStart Start { get; set; } = PodStart.BecomesReady;

    /// <summary>What /health answers (the agent stand-in).</summary>
    public HttpStatusCode HealthStatus { get; set; } = HttpStatusCode.OK;

    public static async Task<FakeKubernetesApi> StartAsync(X509Certificate2? serverCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = serverCertificate });
            }
        }));
        var app = builder.Build();
        var fake = new FakeKubernetesApi(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Urls.First();
        fake.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    public IReadOnlyList<string> PodNames()
    {
        lock (_gate)
        {
            return [.. _pods.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public JsonObject? Pod(string name)
    {
        lock (_gate)
        {
            return _pods.TryGetValue(name, out var pod) ? (JsonObject)pod.DeepClone() : null;
        }
    }

    public IReadOnlyList<RecordedRequest> Recorded(string method, Func<RecordedRequest, bool>? where = null) =>
        [.. Requests.Where(r => r.Method == method && (where is null || where(r)))];

    /// <summary>Puts a pod in place as if another process had made it.</summary>
    public void AddPod(string name, IReadOnlyDictionary<string, string> labels, string uid = "", (string Name, string Uid)? owner = null)
    {
        var labelObject = new JsonObject();
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labelObject },
            ["spec"] = new JsonObject(),
        };
        if (owner is { } o)
        {
            pod["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = o.Name, ["uid"] = o.Uid,
            });
        }

        Store(pod, uid.Length > 0 ? uid : Guid.NewGuid().ToString());
    }

    /// <summary>Changes a pod's status as the kubelet would, with a MODIFIED event.</summary>
    public void UpdatePod(string name, Action<JsonObject> change)
    {
        lock (_gate)
        {
            var pod = _pods[name];
            change(pod);
            Changed("MODIFIED", pod);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            string? body = null;
            if (context.Request.ContentLength > 0 || context.Request.Method == "POST")
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                body = await reader.ReadToEndAsync(context.RequestAborted);
                context.Items["body"] = body;
            }

            Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "", body, context.Request.Headers.Authorization.FirstOrDefault()));
            await next(context);
        });

        app.MapGet("/health", () => Results.StatusCode((int)HealthStatus));
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "20", gitVersion = "v1.20.2-fake" }));
        app.MapPost("/api/v1/namespaces/{ns}/pods", Create);
        app.MapGet("/api/v1/namespaces/{ns}/pods", ListOrWatch);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string name) =>
            Pod(name) is { } pod ? Results.Json(pod) : NotFound(name));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", (string name) =>
        {
            lock (_gate)
            {
                if (!_pods.Remove(name, out var pod))
                {
                    return NotFound(name);
                }

                _pendingSteps.Remove(name);
                Changed("DELETED", pod);
                return Results.Json(pod);
            }
        });
    }

    private IResult Create(HttpContext context)
    {
        var pod = JsonNode.Parse((string)context.Items["body"]!)!.AsObject();
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        var answer = CreateAnswers.TryDequeue(out var injected) ? injected : (Status: 201, CreateAnyway: true);
        lock (_gate)
        {
            if (_pods.ContainsKey(name))
            {
                return Status(409, "AlreadyExists", $"pods \"{name}\" already exists");
            }

            if (answer.Status == 201 || answer.CreateAnyway)
            {
                pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "Burstable" };
                Store(pod, Guid.NewGuid().ToString());
                _pendingSteps[name] = new Queue<Action<JsonObject>>(Steps());
            }
        }

        return answer.Status switch
        {
            201 => Results.Json(Pod(name), statusCode: 201),
            403 => Status(403, "Forbidden", $"pods is forbidden: User \"system:serviceaccount:x:api\" cannot create resource \"pods\" in API group \"\" in the namespace \"{context.Request.RouteValues["ns"]}\""),
            409 => Status(409, "AlreadyExists", $"pods \"{name}\" already exists"),
            _ => Status(answer.Status, "InternalError", "etcdserver: request timed out"),
        };
    }

    private async Task ListOrWatch(HttpContext context)
    {
        var query = context.Request.Query;
        var selector = query["labelSelector"].FirstOrDefault() ?? "";
        if (query["watch"] != "true")
        {
            List<JsonObject> items;
            lock (_gate)
            {
                items = [.. _pods.Values.Where(p => Matches(p, selector)).Select(p => (JsonObject)p.DeepClone())];
            }

            await Results.Json(new { apiVersion = "v1", kind = "PodList", metadata = new { resourceVersion = _version.ToString() }, items })
                .ExecuteAsync(context);
            return;
        }

        var name = (query["fieldSelector"].FirstOrDefault() ?? "").Replace("metadata.name=", "", StringComparison.Ordinal);
        var from = long.Parse(query["resourceVersion"].FirstOrDefault() ?? "0");
        var seconds = int.Parse(query["timeoutSeconds"].FirstOrDefault() ?? "30");
        if (WatchesFailing > 0)
        {
            WatchesFailing--;
            await Status(500, "InternalError", "etcdserver: leader changed").ExecuteAsync(context);
            return;
        }

        int? dropAfter = DropWatchAfterEvents.TryDequeue(out var n) ? n : null;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        if (WatchesGone > 0)
        {
            WatchesGone--;
            await WriteLineAsync(context, new JsonObject
            {
                ["type"] = "ERROR",
                ["object"] = new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["code"] = 410, ["reason"] = "Expired", ["message"] = "too old resource version" },
            });
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        var sent = 0;
        try
        {
            while (true)
            {
                Task changed;
                List<(long Version, string Type, JsonObject Pod)> due;
                lock (_gate)
                {
                    changed = _changed.Task;
                    due = [.. _events.Where(e => e.Version > from && e.Name == name).Select(e => (e.Version, e.Type, e.Pod))];
                }

                foreach (var (version, type, pod) in due)
                {
                    if (dropAfter is { } limit && sent >= limit)
                    {
                        context.Abort();
                        return;
                    }

                    await WriteLineAsync(context, new JsonObject { ["type"] = type, ["object"] = pod.DeepClone() });
                    from = version;
                    sent++;
                }

                if (dropAfter is { } cut && sent >= cut)
                {
                    context.Abort();
                    return;
                }

                // The kubelet moves the pod on only while it is watched: a backend that polls never sees it ready.
                if (!StepPod(name))
                {
                    await changed.WaitAsync(timeout.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's timeoutSeconds ran out, or the client went away: the server ends the stream.
        }
    }

    private bool StepPod(string name)
    {
        lock (_gate)
        {
            if (!_pods.TryGetValue(name, out var pod) || !_pendingSteps.TryGetValue(name, out var steps) || !steps.TryDequeue(out var step))
            {
                return false;
            }

            step(pod);
            Changed("MODIFIED", pod);
            return true;
        }
    }

    private IEnumerable<Action<JsonObject>> Steps()
    {
        switch (Start)
        {
            case PodStart.BecomesReady:
                yield return pod => pod["status"] = new JsonObject
                {
                    ["phase"] = "Pending",
                    ["conditions"] = new JsonArray(Condition("PodScheduled", "True"), Condition("Ready", "False")),
                    ["containerStatuses"] = new JsonArray(ContainerStatus(false, new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } })),
                };
                yield return pod => pod["status"] = new JsonObject
                {
                    ["phase"] = "Running",
                    ["podIP"] = "127.0.0.1",
                    ["conditions"] = new JsonArray(Condition("PodScheduled", "True"), Condition("Ready", "True")),
                    ["containerStatuses"] = new JsonArray(ContainerStatus(true, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-01-01T00:00:00Z" } })),
                };
                break;
            case PodStart.ImageNeverPull:
                yield return pod => pod["status"] = new JsonObject
                {
                    ["phase"] = "Pending",
                    ["conditions"] = new JsonArray(Condition("PodScheduled", "True"), Condition("Ready", "False")),
                    ["containerStatuses"] = new JsonArray(ContainerStatus(false, new JsonObject
                    {
                        ["waiting"] = new JsonObject
                        {
                            ["reason"] = "ErrImageNeverPull",
                            ["message"] = "Container image \"img:missing\" is not present with pull policy of Never",
                        },
                    })),
                };
                break;
            case PodStart.StaysPending:
                yield return pod => pod["status"] = new JsonObject
                {
                    ["phase"] = "Pending",
                    ["conditions"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = "0/1 nodes are available",
                    }),
                };
                break;
        }
    }

    private static JsonObject Condition(string type, string status) => new() { ["type"] = type, ["status"] = status };

    private static JsonObject ContainerStatus(bool ready, JsonObject state) =>
        new() { ["name"] = "executor", ["ready"] = ready, ["restartCount"] = 0, ["state"] = state };

    private void Store(JsonObject pod, string uid)
    {
        lock (_gate)
        {
            var metadata = pod["metadata"]!.AsObject();
            metadata["uid"] = uid;
            metadata["namespace"] = "fake";
            _pods[metadata["name"]!.GetValue<string>()] = pod;
            Changed("ADDED", pod);
        }
    }

    private void Changed(string type, JsonObject pod)
    {
        _version++;
        pod["metadata"]!["resourceVersion"] = _version.ToString();
        _events.Add((_version, type, pod["metadata"]!["name"]!.GetValue<string>(), (JsonObject)pod.DeepClone()));
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private static bool Matches(JsonObject pod, string selector)
    {
        var labels = pod["metadata"]?["labels"] as JsonObject;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (term.Split('=')[0], term.Split('=')[1]);
            if (labels?[key]?.GetValue<string>() != value)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static IResult NotFound(string name) => Status(404, "NotFound", $"pods \"{name}\" not found");

    private static IResult Status(int code, string reason, string message) => Results.Json(
        new { kind = "Status", apiVersion = "v1", status = "Failure", message, reason, code }, statusCode: code);
}
