using System.Globalization;
using Interpreter.Executor.Agent;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Pool;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Docker;

/// <summary>
/// Sandboxes as hardened Docker containers: no network, non-root, no capabilities, no new privileges,
/// read-only root with tmpfs /workspace and /tmp, pids/memory/CPU limits. The agent listens on a unix
/// socket in a per-sandbox host folder bind-mounted at /run/agent, so the container needs no network.
/// Every call to the engine goes through Docker.DotNet (<see cref="DockerEngine"/>).
/// </summary>
internal sealed partial class DockerSandboxBackend(
    DockerEngine engine,
    SandboxRun run,
    IOptions<ExecutorOptions> options,
    ILogger<DockerSandboxBackend> logger) : ISandboxBackend
{
    private const string AgentMountPoint = "/run/agent";
    private const string SocketName = "agent.sock";
    private const string TokenName = "token";

    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(30);
    private readonly ExecutorOptions _options = options.Value;
    private readonly SandboxResources _resources = SandboxResources.Parse(options.Value.ContainerResources);
    private readonly string? _runtime = PodSpecExtra.RuntimeClassName(PodSpecExtra.Parse(options.Value.PodSpecExtra));
    private readonly SandboxUidAllocator _uids = SandboxUidAllocator.FromOptions(options.Value);

    /// <summary>
    /// Docker 20.10's default masked paths (a <c>MaskedPaths</c> given replaces them, so they are all repeated), plus
    /// what tells the code about the host without any use to it: the kernel command line, module list and symbols.
    /// </summary>
    internal static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/proc/cmdline", "/proc/modules", "/proc/kallsyms",
    ];

    /// <inheritdoc />
    public async Task<SandboxInstance> CreateAsync(CancellationToken ct)
    {
        var name = SandboxNames.New(_options.NamePrefix);
        var socketFolder = Path.Combine(_options.SocketDirectory, name);
        PrepareSocketFolder(socketFolder);

        string? id = null;
        try
        {
            var token = AgentEndpoint.NewToken();
            var uid = _uids.Rent(name);
            WriteTokenFile(socketFolder, token, uid);
            // Not cut short by a stop: the engine may finish a create whose caller gave up, leaving a container no one
            // knows the id of (state "created", after the stop's sweep). With the id, the cleanup below removes it.
            using (var creating = new CancellationTokenSource(CreateTimeout))
            {
                var client = await engine.ClientAsync(creating.Token);
                var spec = BuildSpec(socketFolder, uid);
                spec.Name = name;
                id = (await client.Containers.CreateContainerAsync(spec, creating.Token)).ID;
            }

            ct.ThrowIfCancellationRequested();
            await (await engine.ClientAsync(ct)).Containers.StartContainerAsync(id, new ContainerStartParameters(), ct);
            var endpoint = new AgentEndpoint(new Uri($"http://{name}/"), Path.Combine(socketFolder, SocketName), token);
            return new SandboxInstance(id, name, endpoint, DateTimeOffset.UtcNow);
        }
        catch
        {
            if (await RemoveQuietlyAsync(id ?? name, socketFolder))
            {
                _uids.Return(name);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public Task OnAgentReadyAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        var socketFolder = Path.Combine(_options.SocketDirectory, sandbox.Name);
        // The agent deleted it before it listened; should it not have, it goes now, before any code runs.
        File.Delete(Path.Combine(socketFolder, TokenName));
        // The socket exists now: user code (the agent's uid) must not write through this host folder,
        // which no size limit covers.
        File.SetUnixFileMode(socketFolder, (UnixFileMode)0x1ED);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task DestroyAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        await engine.RemoveAsync(sandbox.Id, ct);
        // Only once the container is gone: a uid still running code is never handed out again.
        _uids.Return(sandbox.Name);
        DeleteSocketFolder(Path.Combine(_options.SocketDirectory, sandbox.Name));
    }

    /// <inheritdoc />
    public Task<int> RemoveLeftoversAsync(CancellationToken ct) =>
        RemoveMatchingAsync(new Dictionary<string, string> { [SandboxLabels.Instance] = _options.InstanceName }, ct);

    /// <inheritdoc />
    public Task<int> RemoveOwnAsync(CancellationToken ct) =>
        RemoveMatchingAsync(new Dictionary<string, string> { [SandboxLabels.Run] = run.Id }, ct);

    /// <inheritdoc />
    public Task<bool> IsAvailableAsync(CancellationToken ct) => engine.PingAsync(ct);

    /// <inheritdoc />
    public async Task<string?> DescribeFailureAsync(SandboxInstance sandbox, CancellationToken ct)
    {
        var inspect = await engine.InspectAsync(sandbox.Id, ct);
        return inspect switch
        {
            null => "the sandbox no longer exists",
            { State.OOMKilled: true } => $"the sandbox exceeded its memory limit ({new ByteSize(MemoryLimit)})",
            { State.Running: false } => $"the sandbox stopped with status {inspect.State.ExitCode}",
            _ => null,
        };
    }

    /// <summary>The uids of live sandboxes.</summary>
    internal SandboxUidAllocator Uids => _uids;

    internal CreateContainerParameters BuildSpec(string socketFolder, int uid) => new()
    {
        Image = _options.Image,
        // A uid of its own (no passwd entry: the image sets HOME, USER and LOGNAME), so no per-uid kernel limit
        // is shared with another sandbox or a real user.
        User = $"{uid.ToString(CultureInfo.InvariantCulture)}:{uid.ToString(CultureInfo.InvariantCulture)}",
        WorkingDir = "/workspace",
        Env =
        [
            $"AGENT_SOCKET={AgentMountPoint}/{SocketName}",
            $"AGENT_MAX_OUTPUT_BYTES={_options.MaxOutputBytes.ToString(CultureInfo.InvariantCulture)}",
            // The agent's socket folder is the sandbox's own, so the token is defence in depth here; on Kubernetes,
            // where the agent listens on the pod network, it is what keeps other pods from driving it. A file, not
            // a variable: no environment block (nor `docker exec`, nor `docker inspect`) ever holds it; the agent
            // reads and deletes it after forking the child that runs the code.
            $"AGENT_TOKEN_FILE={AgentMountPoint}/{TokenName}",
        ],
        Labels = new Dictionary<string, string>
        {
            [SandboxLabels.Managed] = "true",
            [SandboxLabels.Instance] = _options.InstanceName,
            [SandboxLabels.Run] = run.Id,
            [SandboxLabels.Role] = SandboxLabels.ExecutorRole,
        },
        NetworkDisabled = true,
        HostConfig = new HostConfig
        {
            NetworkMode = "none",
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            ReadonlyRootfs = true,
            IpcMode = "private",
            MaskedPaths = [.. MaskedPaths],
            Tmpfs = new Dictionary<string, string>
            {
                // overlay2 on ext4 cannot cap a container's writable layer, so /workspace is a size-capped tmpfs.
                ["/workspace"] = $"rw,exec,nosuid,nodev,size={_options.WorkspaceSizeLimit.Bytes},uid={uid.ToString(CultureInfo.InvariantCulture)},gid={uid.ToString(CultureInfo.InvariantCulture)},mode=0755",
                ["/tmp"] = $"rw,exec,nosuid,nodev,size={_options.TmpSizeLimit.Bytes},mode=1777",
            },
            Binds = [$"{socketFolder}:{AgentMountPoint}:rw"],
            PidsLimit = _options.PidsLimit,
            Memory = MemoryLimit,
            MemorySwap = MemoryLimit,
            NanoCPUs = (long)((_resources.CpuLimit ?? _options.CpuLimit) * 1e9),
            CPUShares = _resources.CpuRequest is { } cpuRequest ? Math.Max(2, (long)(cpuRequest * 1024)) : 0,
            MemoryReservation = _resources.MemoryRequest ?? 0,
            Runtime = _runtime,
        },
    };

    private long MemoryLimit => _resources.MemoryLimit ?? _options.MemoryLimit.Bytes;

    private async Task<int> RemoveMatchingAsync(Dictionary<string, string> labels, CancellationToken ct)
    {
        labels[SandboxLabels.Managed] = "true";
        var found = await engine.ListAsync(labels, ct);
        await Parallel.ForEachAsync(found, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (container, token) =>
            {
                await engine.RemoveAsync(container.ID, token);
                var name = container.Names?.FirstOrDefault()?.TrimStart('/');
                if (!string.IsNullOrEmpty(name))
                {
                    _uids.Return(name);
                    DeleteSocketFolder(Path.Combine(_options.SocketDirectory, name));
                }

                LogRemoved(container.ID[..Math.Min(12, container.ID.Length)]);
            });
        return found.Count;
    }

    /// <summary>Removes a container that failed to start; true when it is gone (its uid may be reused).</summary>
    private async Task<bool> RemoveQuietlyAsync(string idOrName, string socketFolder)
    {
        var removed = true;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await engine.RemoveAsync(idOrName, cts.Token);
        }
        catch (Exception e)
        {
            LogCleanupFailed(e, idOrName);
            removed = false;
        }

        DeleteSocketFolder(socketFolder);
        return removed;
    }

    private static void PrepareSocketFolder(string folder)
    {
        var root = Path.GetDirectoryName(folder)!;
        if (!Directory.Exists(root))
        {
            // Only this service reaches the agents' sockets through the host side.
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // The agent runs as the sandbox's uid inside and must create its socket in this folder.
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);
    }

    /// <summary>
    /// The token file the agent reads and deletes: readable by the sandbox's uid only when the service may chown
    /// (root); otherwise by anyone who reaches it, which is only the service, as the folder above is 0700.
    /// </summary>
    private static void WriteTokenFile(string folder, string token, int uid)
    {
        var path = Path.Combine(folder, TokenName);
        using (var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(token));
        }

        File.SetUnixFileMode(path, HostFileOwner.TryChown(path, uid)
            ? UnixFileMode.UserRead
            : UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private static void DeleteSocketFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A folder still held by a dying container is removed at the next start-up sweep.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed sandbox container {ContainerId}")]
    private partial void LogRemoved(string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove sandbox container {Container} after a failed start")]
    private partial void LogCleanupFailed(Exception exception, string container);
}
