using System.Globalization;
using System.Net;
using System.Text.Json;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Pool;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// Sandboxes as hardened pods (see <see cref="KubernetesPodSpecBuilder"/>), through KubernetesClient. Readiness
/// comes from a watch on the pod, not from polling; the agent is reached on the pod IP (the pool checks it answers).
/// Every failed start deletes its pod, including a create whose outcome is unknown (a 5xx or a timeout may still
/// have made the pod).
/// </summary>
internal sealed partial class KubernetesSandboxBackend : ISandboxBackend
{
    private const int MaxCreateAttempts = 5;

    private static readonly HashSet<string> FatalWaitingReasons = new(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName",
        "CreateContainerConfigError", "CreateContainerError",
    };

    private readonly KubernetesPods _pods;
    private readonly KubernetesPodSpecBuilder _specs;
    private readonly KubernetesTarget _target;
    private readonly SandboxRun _run;
    private readonly ExecutorOptions _options;
    private readonly ILogger<KubernetesSandboxBackend> _logger;
    private readonly Lazy<Task<OwnerPod?>> _owner;
    private readonly SandboxUidAllocator _uids;

    /// <summary>A backend creating pods through <paramref name="pods"/>.</summary>
    public KubernetesSandboxBackend(
        KubernetesPods pods,
        SandboxRun run,
        IOptions<ExecutorOptions> options,
        ILogger<KubernetesSandboxBackend> logger)
    {
        _pods = pods;
        _target = pods.Target;
        _run = run;
        _options = options.Value;
        _logger = logger;
        _specs = new KubernetesPodSpecBuilder(_options, run);
        _uids = SandboxUidAllocator.FromOptions(_options);
        _owner = new Lazy<Task<OwnerPod?>>(FindOwnerAsync);
    }

    /// <inheritdoc />
    public async Task<SandboxInstance> CreateAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.StartupTimeout);
        var owner = await _owner.Value.WaitAsync(ct);
        string? name = null;
        try
        {
            var token = AgentEndpoint.NewToken();
            var created = await CreatePodAsync(owner, token, n => name = n, deadline.Token);
            var pod = await WaitUntilReadyAsync(created, deadline.Token, ct);
            var endpoint = new AgentEndpoint(
                new Uri($"http://{FormatHost(pod.Status!.PodIP!)}:{_options.AgentPort.ToString(CultureInfo.InvariantCulture)}/"), null, token);
            return new SandboxInstance(pod.Metadata.Name, pod.Metadata.Name, endpoint, DateTimeOffset.UtcNow);
        }
        catch (Exception e)
        {
            if (name is not null && await DeleteQuietlyAsync(name))
            {
                _uids.Return(name);
            }

            if (e is OperationCanceledException && deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new SandboxStartException(
                    $"The Kubernetes API did not take a sandbox pod within {_options.StartupTimeoutSeconds} s (APP_EXECUTOR_STARTUP_TIMEOUT).");
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task DestroyAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _pods.DeleteAsync(sandbox.Name, ct);
                _uids.Return(sandbox.Name);
                return;
            }
            catch (Exception e) when (attempt < 3 && IsTransient(e, ct))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Replicas of one Deployment share APP_INSTANCE_NAME, so a pod owned by another API pod that still exists is
    /// that replica's and is left alone; the cluster removes it with its owner.
    /// </remarks>
    public async Task<int> RemoveLeftoversAsync(CancellationToken ct)
    {
        var self = await _owner.Value.WaitAsync(ct);
        var found = await _pods.ListAsync($"{SandboxLabels.Managed}=true,{SandboxLabels.Instance}={_options.InstanceName}", ct);
        var liveOwners = new Dictionary<string, bool>(StringComparer.Ordinal);
        var leftovers = new List<V1Pod>();
        foreach (var pod in found)
        {
            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "Pod");
            if (owner is not null && owner.Uid != self?.Uid)
            {
                if (!liveOwners.TryGetValue(owner.Uid, out var alive))
                {
                    alive = (await _pods.GetAsync(owner.Name, ct))?.Metadata.Uid == owner.Uid;
                    liveOwners[owner.Uid] = alive;
                }

                if (alive)
                {
                    continue;
                }
            }

            leftovers.Add(pod);
        }

        return await DeleteAllAsync(leftovers, ct);
    }

    /// <inheritdoc />
    public Task<int> RemoveOwnAsync(CancellationToken ct) =>
        RemoveMatchingAsync($"{SandboxLabels.Managed}=true,{SandboxLabels.Run}={_run.Id}", ct);

    /// <inheritdoc />
    public Task<bool> IsAvailableAsync(CancellationToken ct) => _pods.PingAsync(ct);

    /// <inheritdoc />
    public Task OnAgentReadyAsync(SandboxInstance sandbox, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<string?> DescribeFailureAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        var pod = await _pods.GetAsync(sandbox.Name, ct);
        if (pod is null)
        {
            return "the sandbox no longer exists";
        }

        var status = pod.Status;
        if (status?.Reason == "Evicted")
        {
            return $"the sandbox was evicted by Kubernetes ({status.Message ?? "no message"}); /workspace is limited to {_options.WorkspaceSizeLimit} and /tmp to {_options.TmpSizeLimit}";
        }

        var container = status?.ContainerStatuses?.FirstOrDefault(c => c.Name == "executor");
        var terminated = container?.State?.Terminated ?? container?.LastState?.Terminated;
        return terminated switch
        {
            { Reason: "OOMKilled" } => $"the sandbox exceeded its memory limit ({new ByteSize(_specs.MemoryLimitBytes)})",
            not null => $"the sandbox stopped with status {terminated.ExitCode.ToString(CultureInfo.InvariantCulture)} ({terminated.Reason ?? "no reason"})",
            _ when pod.Metadata.DeletionTimestamp is not null => "the sandbox is being deleted",
            _ when status?.Phase is "Failed" or "Succeeded" => $"the sandbox pod {status.Phase}: {status.Reason ?? status.Message ?? "no reason"}",
            _ => null,
        };
    }

    /// <summary>Creates a pod with a fresh name; retries name clashes and transient errors, fails at once on refusals.</summary>
    private async Task<V1Pod> CreatePodAsync(OwnerPod? owner, string agentToken, Action<string?> tentative, CancellationToken ct)
    {
        Exception? last = null;
        for (var attempt = 1; attempt <= MaxCreateAttempts; attempt++)
        {
            var name = SandboxNames.New(_options.NamePrefix);
            var uid = _uids.Rent(name);
            try
            {
                tentative(name);
                return await _pods.CreateAsync(_specs.Build(name, owner, agentToken, uid), ct);
            }
            catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Someone else's pod has that name: never delete it, just pick another.
                tentative(null);
                _uids.Return(name);
                LogNameTaken(name);
                last = e;
            }
            catch (KubernetesApiException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            {
                tentative(null);
                _uids.Return(name);
                throw new SandboxStartException(
                    $"Kubernetes refused to create sandbox pods in namespace '{_pods.Namespace}' ({e.Message}). "
                    + $"Check RBAC: the service's identity ({_target.Source}) needs create, get, list, watch and delete on pods in namespace '{_pods.Namespace}'"
                    + " (a quota or pod security admission may refuse with 403 too: the server's message above says which).");
            }
            catch (KubernetesApiException e) when ((int)e.StatusCode is >= 400 and < 500 && e.StatusCode != HttpStatusCode.TooManyRequests)
            {
                tentative(null);
                _uids.Return(name);
                throw new SandboxStartException(
                    $"Kubernetes rejected the sandbox pod ({e.Message}); check APP_EXECUTOR_IMAGE, APP_EXECUTOR_CONTAINER_RESOURCES and APP_EXECUTOR_POD_SPEC_EXTRA.");
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                // The server may have made the pod before failing: delete it by name so it does not leak.
                tentative(null);
                if (await DeleteQuietlyAsync(name))
                {
                    _uids.Return(name);
                }

                LogCreateRetry(e, name, attempt);
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), ct);
            }
        }

        throw new SandboxStartException(
            $"Could not create a sandbox pod in namespace '{_pods.Namespace}' after {MaxCreateAttempts} attempts: {last?.Message}");
    }

    /// <summary>Follows the pod on a watch until it is Ready with an IP; a dropped or expired watch is resumed.</summary>
    private async Task<V1Pod> WaitUntilReadyAsync(V1Pod created, CancellationToken deadline, CancellationToken ct)
    {
        var name = created.Metadata.Name;
        var current = created;
        var version = created.Metadata.ResourceVersion ?? "0";
        var pause = TimeSpan.FromMilliseconds(100);
        try
        {
            while (true)
            {
                if (IsReady(current))
                {
                    return current;
                }

                var progressed = false;
                try
                {
                    await foreach (var (type, pod) in _pods.WatchAsync(name, version, _options.StartupTimeout, deadline))
                    {
                        if (type == WatchEventType.Deleted)
                        {
                            throw new SandboxStartException($"Sandbox pod {name} was deleted while starting.");
                        }

                        if (type is WatchEventType.Added or WatchEventType.Modified && pod is not null)
                        {
                            current = pod;
                            version = pod.Metadata.ResourceVersion ?? version;
                            progressed = true;
                            if (IsReady(current))
                            {
                                return current;
                            }
                        }
                    }
                }
                catch (KubernetesApiException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                {
                    throw new SandboxStartException(
                        $"Kubernetes refused to watch pods in namespace '{_pods.Namespace}' ({e.Message}); check RBAC: the service needs watch on pods.");
                }
                catch (Exception e) when (e is KubernetesApiException { StatusCode: HttpStatusCode.Gone } || IsTransient(e, deadline))
                {
                    LogWatchBroken(e, name);
                }

                // The watch ended, dropped or its version expired: read the pod once and watch on from its version.
                if (!progressed)
                {
                    await Task.Delay(pause, deadline);
                    pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 2000));
                }

                current = await _pods.GetAsync(name, deadline)
                    ?? throw new SandboxStartException($"Sandbox pod {name} disappeared while starting.");
                version = current.Metadata.ResourceVersion ?? version;
                LogWatchResumed(name, version);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new SandboxStartException(
                $"Sandbox pod {name} was not ready within {_options.StartupTimeoutSeconds} s (APP_EXECUTOR_STARTUP_TIMEOUT); last seen: {Describe(current)}.");
        }
    }

    /// <summary>True when Ready with an IP; throws when the pod can never become ready.</summary>
    private bool IsReady(V1Pod pod)
    {
        var status = pod.Status;
        if (status is null)
        {
            return false;
        }

        if (status.Phase is "Failed" or "Succeeded")
        {
            throw new SandboxStartException(
                $"Sandbox pod {pod.Metadata.Name} ended during start-up ({Describe(pod)}); check APP_EXECUTOR_IMAGE '{_options.Image}'.");
        }

        foreach (var container in status.ContainerStatuses ?? [])
        {
            if (container.State?.Waiting?.Reason is { } reason && FatalWaitingReasons.Contains(reason))
            {
                throw new SandboxStartException(
                    $"Sandbox pod {pod.Metadata.Name} cannot start its container: {reason} ({container.State.Waiting.Message ?? "no message"}); "
                    + $"check APP_EXECUTOR_IMAGE '{_options.Image}' and APP_EXECUTOR_IMAGE_PULL_POLICY ({_options.ImagePullPolicy}).");
            }

            if (container.State?.Terminated is { } terminated)
            {
                throw new SandboxStartException(
                    $"Sandbox pod {pod.Metadata.Name}: the agent exited during start-up with status {terminated.ExitCode.ToString(CultureInfo.InvariantCulture)} ({terminated.Reason ?? "no reason"}); check APP_EXECUTOR_IMAGE '{_options.Image}'.");
            }
        }

        return !string.IsNullOrEmpty(status.PodIP)
            && status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
    }

    private async Task<OwnerPod?> FindOwnerAsync()
    {
        if (!_target.InCluster || _target.OwnPodName is not { } own)
        {
            return null;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var pod = await _pods.GetAsync(own, cts.Token);
            if (pod?.Metadata.Uid is { Length: > 0 } uid)
            {
                return new OwnerPod(pod.Metadata.Name, uid);
            }

            LogOwnerUnknown(null, own, _pods.Namespace);
        }
        catch (Exception e)
        {
            // Best effort: without an owner the pods are still removed by this service and its successors.
            LogOwnerUnknown(e, own, _pods.Namespace);
        }

        return null;
    }

    private async Task<int> RemoveMatchingAsync(string selector, CancellationToken ct) =>
        await DeleteAllAsync(await _pods.ListAsync(selector, ct), ct);

    private async Task<int> DeleteAllAsync(IReadOnlyList<V1Pod> found, CancellationToken ct)
    {
        await Parallel.ForEachAsync(found, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (pod, token) =>
            {
                if (await _pods.DeleteAsync(pod.Metadata.Name, token))
                {
                    LogRemoved(pod.Metadata.Name);
                }

                _uids.Return(pod.Metadata.Name);
            });
        return found.Count;
    }

    /// <summary>Deletes a pod that failed to start; true when it is gone (its uid may be reused).</summary>
    private async Task<bool> DeleteQuietlyAsync(string name)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _pods.DeleteAsync(name, cts.Token);
                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogCleanupFailed(e, name, attempt);
                if (attempt < 3)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
            }
        }

        return false;
    }

    private static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        KubernetesApiException api => (int)api.StatusCode >= 500 || api.StatusCode == HttpStatusCode.TooManyRequests,
        HttpRequestException or IOException or TimeoutException or JsonException => true,
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(V1Pod pod)
    {
        var status = pod.Status;
        if (status is null)
        {
            return "no status yet";
        }

        var parts = new List<string> { $"phase {status.Phase ?? "unknown"}" };
        parts.AddRange((status.Conditions ?? []).Where(c => c.Status != "True")
            .Select(c => $"{c.Type}={c.Status}{(c.Reason is null ? "" : " " + c.Reason)}{(c.Message is null ? "" : ": " + c.Message)}"));
        foreach (var container in status.ContainerStatuses ?? [])
        {
            if (container.State?.Waiting is { } waiting)
            {
                parts.Add($"container waiting {waiting.Reason}{(waiting.Message is null ? "" : ": " + waiting.Message)}");
            }
            else if (container.State?.Terminated is { } terminated)
            {
                parts.Add($"container terminated {terminated.Reason} (status {terminated.ExitCode.ToString(CultureInfo.InvariantCulture)})");
            }
        }

        if (status.Reason is not null)
        {
            parts.Add($"reason {status.Reason}: {status.Message}");
        }

        return string.Join(", ", parts);
    }

    private static string FormatHost(string ip) => ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed sandbox pod {PodName}")]
    private partial void LogRemoved(string podName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod name {PodName} is taken; trying another")]
    private partial void LogNameTaken(string podName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating sandbox pod {PodName} failed (attempt {Attempt}); retrying")]
    private partial void LogCreateRetry(Exception exception, string podName, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of sandbox pod {PodName} ended or broke")]
    private partial void LogWatchBroken(Exception exception, string podName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watching sandbox pod {PodName} again from resource version {ResourceVersion}")]
    private partial void LogWatchResumed(string podName, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete sandbox pod {PodName} (attempt {Attempt})")]
    private partial void LogCleanupFailed(Exception exception, string podName, int attempt);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not read this service's own pod {PodName} in namespace {Namespace}; sandbox pods get no owner reference")]
    private partial void LogOwnerUnknown(Exception? exception, string podName, string @namespace);
}
