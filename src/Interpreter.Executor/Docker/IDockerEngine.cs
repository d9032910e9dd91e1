namespace Interpreter.Executor.Docker;

/// <summary>The few Docker Engine API calls the sandbox backend needs.</summary>
public interface IDockerEngine
{
    /// <summary>The engine's version; also fixes the API version used for later calls.</summary>
    Task<DockerVersion> GetVersionAsync(CancellationToken ct);

    /// <summary>True when the engine answers <c>/_ping</c>.</summary>
    Task<bool> PingAsync(CancellationToken ct);

    /// <summary>True when the engine has the image locally.</summary>
    Task<bool> ImageExistsAsync(string image, CancellationToken ct);

    /// <summary>Creates a container and returns its id.</summary>
    Task<string> CreateContainerAsync(string name, ContainerCreateRequest request, CancellationToken ct);

    /// <summary>Starts a created container.</summary>
    Task StartContainerAsync(string id, CancellationToken ct);

    /// <summary>Kills and removes a container with its anonymous volumes; a missing container is not an error.</summary>
    Task RemoveContainerAsync(string id, CancellationToken ct);

    /// <summary>Containers (running or not) that carry every given label.</summary>
    Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct);

    /// <summary>A container's state, or null when it does not exist.</summary>
    Task<ContainerInspect?> InspectContainerAsync(string id, CancellationToken ct);
}
