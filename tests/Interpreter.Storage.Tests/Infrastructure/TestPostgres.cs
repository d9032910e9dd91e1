using System.Diagnostics;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Interpreter.Storage.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server per test run, in a Testcontainers container of the image scripts/build-postgres-image.sh
/// builds here (no registry; its tag in COMPUTESANDBOX_TEST_POSTGRES_IMAGE, which scripts/test.sh sets). There is no
/// reaper on this machine (TESTCONTAINERS_RYUK_DISABLED=true), so the containers carry <see cref="Label"/> and
/// every start first removes the ones a crashed run left. Each test gets a schema of its own, dropped afterwards.
/// </summary>
internal static class TestPostgres
{
    public const string ImageVariable = "COMPUTESANDBOX_TEST_POSTGRES_IMAGE";

    /// <summary>The label every container of these tests carries (value: the test process id).</summary>
    public const string Label = "org.computesandbox.tests.storage-postgres";

    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static PostgreSqlContainer? _container;

    /// <summary>The server's connection string; starts the container the first time. Skips outside CI without an image.</summary>
    public static async Task<string> ConnectionStringAsync(CancellationToken ct)
    {
        var image = Environment.GetEnvironmentVariable(ImageVariable);
        if (string.IsNullOrWhiteSpace(image))
        {
            const string why = ImageVariable + " is not set: run scripts/test.sh, or export the last line of scripts/build-postgres-image.sh.";
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
            {
                Assert.Fail(why);
            }

            Assert.Skip(why);
        }

        await Starting.WaitAsync(ct);
        try
        {
            if (_container is null)
            {
                await RemoveLeftoversAsync(ct);
                var container = new PostgreSqlBuilder(image)
                    .WithImagePullPolicy(_ => false)
                    .WithLabel(Label, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .WithUsername("computesandbox")
                    .WithPassword("computesandbox")
                    .WithDatabase("computesandbox_test")
                    .WithCleanUp(true)
                    .WithAutoRemove(true)
                    .Build();
                _container = container;
                await container.StartAsync(ct);
            }

            return _container.GetConnectionString();
        }
        finally
        {
            Starting.Release();
        }
    }

    /// <summary>
    /// Removes the container (no reaper does): called once after the last test by <see cref="TestPostgresCleanup"/>;
    /// a crash leaves it to the next run's <see cref="RemoveLeftoversAsync"/>.
    /// </summary>
    public static async Task StopAsync()
    {
        if (_container is { } container)
        {
            _container = null;
            await container.DisposeAsync();
        }
    }

    /// <summary>Creates a schema of its own and returns a connection string whose search path is it.</summary>
    public static async Task<(string ConnectionString, string Schema)> CreateSchemaAsync(CancellationToken ct)
    {
        var server = await ConnectionStringAsync(ct);
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema };
        return (builder.ConnectionString, schema);
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync(CancellationToken.None));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Removes containers of earlier runs whose process is gone (a crash, a kill): the reaper's job.</summary>
    private static async Task RemoveLeftoversAsync(CancellationToken ct)
    {
        var list = await DockerAsync(["ps", "-aq", "--filter", "label=" + Label, "--format", "{{.ID}} {{.Label \"" + Label + "\"}}"], ct);
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            var owner = parts.Length == 2 && int.TryParse(parts[1], out var pid) ? pid : 0;
            if (owner != Environment.ProcessId && !ProcessIsAlive(owner))
            {
                await DockerAsync(["rm", "-f", parts[0]], ct);
            }
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<string> DockerAsync(string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var docker = Process.Start(start) ?? throw new InvalidOperationException("docker did not start");
        var output = await docker.StandardOutput.ReadToEndAsync(ct);
        await docker.WaitForExitAsync(ct);
        return docker.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed: {await docker.StandardError.ReadToEndAsync(ct)}");
    }
}
