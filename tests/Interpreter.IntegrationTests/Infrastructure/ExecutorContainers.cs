using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Interpreter.Executor.Docker;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// Executor-image containers a test starts itself (not through the API's pool), run by Testcontainers against the
/// real engine. The reaper is off on this machine (TESTCONTAINERS_RYUK_DISABLED, see scripts/test.sh), so every
/// container carries <see cref="Label"/> and the fixture removes all that carry it: at the start what a crashed
/// earlier run left, at the end what this one started.
/// </summary>
public sealed class ExecutorContainers : IAsyncLifetime
{
    /// <summary>The label (with value <c>true</c>) on every container this fixture starts.</summary>
    public const string Label = "io.computesandbox.test.container";

    private readonly DockerEngine _engine = new(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
        ? host
        : "unix:///var/run/docker.sock");

    private readonly List<IContainer> _started = [];

    /// <summary>Starts a container of the test image, set up by <paramref name="configure"/>, labelled for the sweep.</summary>
    public async Task<IContainer> StartAsync(Func<ContainerBuilder, ContainerBuilder> configure, CancellationToken ct)
    {
        var container = configure(new ContainerBuilder(TestImage.Name))
            .WithLabel(Label, "true")
            .Build();
        lock (_started)
        {
            _started.Add(container);
        }

        await container.StartAsync(ct);
        return container;
    }

    public async ValueTask InitializeAsync() => await SweepAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _started)
        {
            await container.DisposeAsync();
        }

        await SweepAsync();
        _engine.Dispose();
    }

    private async Task SweepAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        IReadOnlyList<ContainerListResponse> left = await _engine.ListAsync(new Dictionary<string, string> { [Label] = "true" }, timeout.Token);
        foreach (var container in left)
        {
            await _engine.RemoveAsync(container.ID, timeout.Token);
        }
    }
}
