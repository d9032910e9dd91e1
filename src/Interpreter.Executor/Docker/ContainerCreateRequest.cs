namespace Interpreter.Executor.Docker;

/// <summary>Body of <c>POST /containers/create</c> (Docker's own PascalCase names).</summary>
public sealed record ContainerCreateRequest
{
    /// <summary>Image to run.</summary>
    public required string Image { get; init; }

    /// <summary>User (uid:gid) the main process runs as.</summary>
    public string? User { get; init; }

    /// <summary>Working directory.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Environment as NAME=value.</summary>
    public IReadOnlyList<string>? Env { get; init; }

    /// <summary>Labels that identify the container's owner.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Disables all networking.</summary>
    public bool NetworkDisabled { get; init; }

    /// <summary>Host-side limits and isolation.</summary>
    public required ContainerHostConfig HostConfig { get; init; }
}
