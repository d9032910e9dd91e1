using Docker.DotNet.Models;
using System.Net;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Pool;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// The real API on real Kestrel (a loopback port) with a real Docker pool, under its own instance name so
/// its sandboxes can be told apart from any other run's.
/// </summary>
public sealed class SandboxApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;
    private readonly bool _ownsStorage;

    public SandboxApiFactory(IReadOnlyDictionary<string, string>? settings = null)
    {
        InstanceName = "it-" + Guid.NewGuid().ToString("N")[..10];
        // A storage folder given by the test outlives this factory (restart tests); the factory's own does not.
        _ownsStorage = settings?.ContainsKey("App:FILE_STORAGE_PATH") != true;
        StoragePath = settings?.GetValueOrDefault("App:FILE_STORAGE_PATH")
            ?? Path.Combine(Path.GetTempPath(), "computesandbox-tests", InstanceName);
        _settings = new Dictionary<string, string>
        {
            ["App:INSTANCE_NAME"] = InstanceName,
            ["App:EXECUTOR_IMAGE"] = TestImage.Name,
            ["App:FILE_STORAGE_PATH"] = StoragePath,
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "3",
            ["App:EXECUTOR_MEMORY_LIMIT"] = "384Mi",
            ["App:WORKSPACE_SIZE_LIMIT"] = "64Mi",
            ["App:EXECUTOR_PIDS_LIMIT"] = "128",
            ["App:INTERNAL_IP_ALLOWLIST"] = "127.0.0.1/32",
            // Test machines may be loaded (parallel builds); a test that needs a 503 sets its own.
            ["App:EXECUTOR_ACQUIRE_TIMEOUT"] = "180",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }

        // Kestrel options rather than UseKestrel(port): the factory's own port set-up clears the server's
        // addresses between Build and Start and fails when the app's entry point started the server first.
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    public string InstanceName { get; }

    public string StoragePath { get; }

    public SandboxPool Pool => Services.GetRequiredService<SandboxPool>();

    /// <summary>Starts the server and waits until the pool holds <paramref name="ready"/> ready sandboxes.</summary>
    public async Task<HttpClient> StartAsync(int ready, CancellationToken ct)
    {
        StartServer();
        var client = CreateClient();
        await Eventually.TrueAsync(() => Task.FromResult(Pool.Snapshot.Ready >= ready), TimeSpan.FromSeconds(90),
            $"the pool to hold {ready} ready sandboxes", ct);
        return client;
    }

    /// <summary>Containers labelled with this factory's instance name, running or not.</summary>
    internal async Task<IReadOnlyList<ContainerListResponse>> ContainersAsync(DockerEngine docker, CancellationToken ct) =>
        await docker.ListAsync(new Dictionary<string, string> { [SandboxLabels.Instance] = InstanceName }, ct);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!_ownsStorage)
        {
            return;
        }

        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
