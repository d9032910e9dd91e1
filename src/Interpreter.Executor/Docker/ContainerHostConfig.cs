namespace Interpreter.Executor.Docker;

/// <summary>The <c>HostConfig</c> of a container: isolation and resource limits.</summary>
public sealed record ContainerHostConfig
{
    /// <summary><c>none</c> for no network at all.</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Capabilities to drop (<c>ALL</c>).</summary>
    public IReadOnlyList<string>? CapDrop { get; init; }

    /// <summary>Security options such as <c>no-new-privileges</c>.</summary>
    public IReadOnlyList<string>? SecurityOpt { get; init; }

    /// <summary>Mounts the root file system read-only.</summary>
    public bool ReadonlyRootfs { get; init; }

    /// <summary>tmpfs mounts: path -> mount options.</summary>
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }

    /// <summary>Bind mounts as host:container[:options].</summary>
    public IReadOnlyList<string>? Binds { get; init; }

    /// <summary>Process and thread limit.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>Memory limit in bytes.</summary>
    public long? Memory { get; init; }

    /// <summary>Memory plus swap; equal to <see cref="Memory"/> means no swap.</summary>
    public long? MemorySwap { get; init; }

    /// <summary>CPU limit in units of 1e-9 CPUs.</summary>
    public long? NanoCpus { get; init; }

    /// <summary>Relative CPU weight (1024 = one core's share).</summary>
    public long? CpuShares { get; init; }

    /// <summary>Soft memory limit in bytes.</summary>
    public long? MemoryReservation { get; init; }

    /// <summary>OCI runtime (e.g. runsc for gVisor); null = the engine's default.</summary>
    public string? Runtime { get; init; }

    /// <summary>IPC namespace mode.</summary>
    public string? IpcMode { get; init; }

    /// <summary>Paths masked inside the container; replaces the engine's default list when given.</summary>
    public IReadOnlyList<string>? MaskedPaths { get; init; }
}
