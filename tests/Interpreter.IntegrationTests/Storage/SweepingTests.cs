using System.Net;
using System.Text.Json;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.IntegrationTests.Reliability;
using Interpreter.Storage.Tests.Infrastructure;
using Npgsql;
using Shouldly;
using Eventually = Interpreter.IntegrationTests.Infrastructure.Eventually;

namespace Interpreter.IntegrationTests.Storage;

/// <summary>
/// Issue 13, item 3: the storage sweep is a recurring Hangfire job. Two real API processes on one PostgreSQL
/// database (Hangfire's storage beside the metadata) never sweep at the same time, and the /hangfire dashboard
/// answers only clients the spawn allowlists allow.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class SweepingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sweeps_RunOnOneReplicaAtATime_WhenTwoApisShareOnePostgresDatabase()
    {
        var server = await TestPostgres.ConnectionStringAsync(Ct);
        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "sweeps-" + id);
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE SCHEMA {schema}");
        var settings = Settings();
        settings["APP_METADATA_BACKEND"] = "postgres";
        settings["APP_METADATA_DATABASE_URL"] = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        try
        {
            await using var first = ApiProcess.Start("sweeps-a-" + id, storage, settings);
            await using var second = ApiProcess.Start("sweeps-b-" + id, storage, settings);
            await WaitReadyAsync(first);
            await WaitReadyAsync(second);

            await Eventually.TrueAsync(async () => (await SweepsAsync(server, schema)).Count >= 6, TimeSpan.FromSeconds(90),
                "six sweeps to have run", Ct);
            var sweeps = await SweepsAsync(server, schema);
            var servers = await CountAsync(server, $"SELECT count(*) FROM {schema}_hangfire.server");

            servers.ShouldBe(2, "both replicas run a Hangfire server and compete for the sweeps");
            sweeps.GroupBy(s => s.JobId).ShouldAllBe(g => g.Count() == 1, "each sweep is processed by one replica, once");
            var ordered = sweeps.OrderBy(s => s.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                ordered[i].Started.ShouldBeGreaterThanOrEqualTo(ordered[i - 1].Finished,
                    $"sweep {ordered[i].JobId} on {ordered[i].Process} began before sweep {ordered[i - 1].JobId} on {ordered[i - 1].Process} ended");
            }
        }
        finally
        {
            DeleteQuietly(storage);
            await ExecuteAsync(server, $"DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {schema}_hangfire CASCADE");
        }
    }

    [Fact]
    public async Task Dashboard_ShowsTheSweepsToAllowedClients_AndRefusesOthersWith403()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "dashboard-" + id);
        var outsider = Settings();
        outsider["APP_INTERNAL_IP_ALLOWLIST"] = "10.255.255.0/24";
        try
        {
            await using var allowed = ApiProcess.Start("dashboard-a-" + id, storage, Settings());
            await WaitReadyAsync(allowed);
            await Eventually.TrueAsync(async () => (await allowed.Client.GetStringAsync("/hangfire/jobs/succeeded", Ct)).Contains("Storage sweep", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "a succeeded sweep on the dashboard", Ct);
            await allowed.StopAsync(Ct);
            await using var refusing = ApiProcess.Start("dashboard-b-" + id, storage + "-b", outsider);
            await WaitReadyAsync(refusing);

            using var denied = await refusing.Client.GetAsync("/hangfire", Ct);
            using var deniedPage = await refusing.Client.GetAsync("/hangfire/jobs/succeeded", Ct);

            denied.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "127.0.0.1 is outside APP_INTERNAL_IP_ALLOWLIST=10.255.255.0/24");
            deniedPage.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            denied.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        }
        finally
        {
            DeleteQuietly(storage);
            DeleteQuietly(storage + "-b");
        }
    }

    [Fact]
    public async Task Dashboard_IsReadOnly_AndShowsWhatASweepRemoved()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "dashboard-ro-" + id);
        try
        {
            await using var api = ApiProcess.Start("dashboard-ro-" + id, storage, Settings());
            await WaitReadyAsync(api);
            string list = "";
            await Eventually.TrueAsync(async () => (list = await api.Client.GetStringAsync("/hangfire/jobs/succeeded", Ct)).Contains("/hangfire/jobs/details/", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "a succeeded sweep on the dashboard", Ct);
            var details = System.Text.RegularExpressions.Regex.Match(list, "/hangfire/jobs/details/[0-9a-f-]+").Value;

            var page = await api.Client.GetStringAsync(details, Ct);
            using var recurring = await api.Client.GetAsync("/hangfire/recurring", Ct);
            using var trigger = await api.Client.PostAsync("/hangfire/recurring/trigger",
                new FormUrlEncodedContent([new("jobs[]", "storage-sweep")]), Ct);

            page.ShouldContain("Storage sweep");
            page.ShouldContain("Blobs", Case.Sensitive, "the sweep's result (rows, blobs, temporary files removed) is on its page");
            recurring.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await recurring.Content.ReadAsStringAsync(Ct)).ShouldContain("storage-sweep");
            ((int)trigger.StatusCode).ShouldBeGreaterThanOrEqualTo(400, "read-only: the dashboard refuses to trigger jobs");
        }
        finally
        {
            DeleteQuietly(storage);
        }
    }

    private static Dictionary<string, string> Settings() => new()
    {
        ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
        ["APP_FILE_SWEEP_INTERVAL_SECONDS"] = "1",
    };

    private static async Task WaitReadyAsync(ApiProcess api) =>
        await Eventually.TrueAsync(async () => !api.HasExited && await api.PoolAsync(Ct) is not null, TimeSpan.FromSeconds(60),
            "the API to answer /readyz", Ct);

    private sealed record Sweep(long JobId, string Process, DateTimeOffset Started, DateTimeOffset Finished);

    /// <summary>Every succeeded sweep with the window it ran in (inside the job's lock), from its result in Hangfire's state table.</summary>
    private static async Task<List<Sweep>> SweepsAsync(string server, string schema)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            $"SELECT jobid, data FROM {schema}_hangfire.state WHERE name = 'Succeeded'", connection);
        var sweeps = new List<Sweep>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                using var state = JsonDocument.Parse(reader.GetString(1));
                using var result = JsonDocument.Parse(state.RootElement.GetProperty("Result").GetString()!);
                var run = result.RootElement;
                run.TryGetProperty("Rows", out _).ShouldBeTrue("a sweep's result says what it removed");
                run.TryGetProperty("Blobs", out _).ShouldBeTrue();
                sweeps.Add(new Sweep(reader.GetInt64(0), run.GetProperty("Process").GetString()!,
                    run.GetProperty("Started").GetDateTimeOffset(), run.GetProperty("Finished").GetDateTimeOffset()));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Hangfire has not created its schema yet.
        }

        return sweeps;
    }

    private static async Task<long> CountAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
