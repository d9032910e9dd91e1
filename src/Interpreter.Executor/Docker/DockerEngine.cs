using Docker.DotNet;
using Docker.DotNet.Models;
using Version = System.Version;

namespace Interpreter.Executor.Docker;

/// <summary>
/// The Docker Engine as Docker.DotNet reaches it (APP_DOCKER_HOST: <c>unix://</c> or <c>tcp://</c>). Docker.DotNet
/// does not negotiate: unpinned, it sends unversioned paths, which mean "the engine's newest" and so change meaning
/// with the engine. The engine's <c>ApiVersion</c> is read once, on first use (the pool's start-up sweep), and every
/// later call goes through a client pinned to it, capped at the newest API this client's models were made for.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    /// <summary>The newest Engine API Docker.DotNet.Enhanced 4.4 models (Docker 29).</summary>
    internal static readonly Version NewestKnownApiVersion = new(1, 54);

    /// <summary>Docker 20.10 (Debian 12's engine): the oldest with everything the sandbox spec uses.</summary>
    internal static readonly Version OldestSupportedApiVersion = new(1, 41);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);

    private readonly Uri _endpoint;
    private readonly DockerClient _unversioned;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private DockerClient? _pinned;

    /// <summary>An engine at <paramref name="dockerHost"/>; nothing is sent until first use.</summary>
    public DockerEngine(string dockerHost)
    {
        // http:// is what tcp:// means to the engine; Docker.DotNet takes both.
        _endpoint = new Uri(dockerHost);
        _unversioned = Build(null);
    }

    /// <summary>The API version calls are pinned to, once known.</summary>
    public Version? ApiVersion => _pinned?.Options.ApiVersion;

    /// <summary>A client pinned to the engine's API version (read from <c>/version</c> on the first call).</summary>
    public async ValueTask<IDockerClient> ClientAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _pinned) is { } pinned)
        {
            return pinned;
        }

        await _negotiation.WaitAsync(ct);
        try
        {
            if (_pinned is null)
            {
                var version = await _unversioned.System.GetVersionAsync(ct);
                Volatile.Write(ref _pinned, Build(Negotiate(version.APIVersion)));
            }

            return _pinned;
        }
        finally
        {
            _negotiation.Release();
        }
    }

    /// <summary>True when the engine answers <c>/_ping</c> (unversioned: every engine has it).</summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await _unversioned.System.PingAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Refused, no socket, a reset or a timeout of the transport: the engine does not answer.
            return false;
        }
    }

    /// <summary>A container's state, or null when it does not exist.</summary>
    public async Task<ContainerInspectResponse?> InspectAsync(string id, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        try
        {
            return await client.Containers.InspectContainerAsync(id, ct);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Kills and removes a container with its anonymous volumes; a missing container is not an error.</summary>
    public async Task RemoveAsync(string id, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Another remover got there first; the container is gone only when that removal ends.
            while (await InspectAsync(id, ct) is not null)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    /// <summary>Containers (running or not) that carry every given label.</summary>
    public async Task<IReadOnlyList<ContainerListResponse>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        return [.. await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true),
            },
        }, ct)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _pinned?.Dispose();
        _unversioned.Dispose();
        _negotiation.Dispose();
    }

    /// <summary>The engine's API version, capped at the newest one this client knows.</summary>
    internal static Version Negotiate(string engineApiVersion)
    {
        var engine = Version.Parse(engineApiVersion);
        if (engine < OldestSupportedApiVersion)
        {
            throw new NotSupportedException(
                $"Docker engine API {engineApiVersion} is older than the oldest supported, {OldestSupportedApiVersion.ToString(2)}; upgrade Docker.");
        }

        var chosen = engine < NewestKnownApiVersion ? engine : NewestKnownApiVersion;
        return new Version(chosen.Major, chosen.Minor);
    }

    private DockerClient Build(Version? apiVersion) =>
        new DockerClientBuilder().WithEndpoint(_endpoint).WithApiVersion(apiVersion).WithTimeout(RequestTimeout).Build();
}
