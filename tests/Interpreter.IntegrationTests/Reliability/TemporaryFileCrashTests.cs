using System.Net;
using System.Text.Json;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.IntegrationTests.Infrastructure;
using Npgsql;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Issue 19, item 9: a kill -9 during an upload left its temporary file in <c>.internal/tmp</c> for a day. Each
/// process now writes in a folder of its own that it holds locked; at start-up (and every sweep) the folders no live
/// process holds are removed, and the uploads in flight of another live replica on the same storage folder are not.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class TemporaryFileCrashTests
{
    private const long UploadBytes = 96L << 20;
    private const long HeldAfterBytes = 40L << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_RemovesTheTemporaryData_WhenTheApiWasKilledDuringALargeUpload()
    {
        var instance = "tmpcrash-" + Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", instance);
        var temp = Path.Combine(storage, ".internal", "tmp");
        var settings = Settings();
        try
        {
            var body = new GatedUploadContent(UploadBytes, HeldAfterBytes);
            await using (var first = ApiProcess.Start(instance, storage, settings))
            {
                await WaitReadyAsync(first);
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var upload = first.Client.PostUploadAsync("c1", "big.bin", body, cancel.Token);
                await Eventually.TrueAsync(() => Task.FromResult(PartBytes(temp) >= HeldAfterBytes / 2), TimeSpan.FromSeconds(60),
                    "the upload to be half staged", Ct);

                await first.KillAsync(Ct);
                await cancel.CancelAsync();
                await upload.ContinueWith(_ => { }, CancellationToken.None);
            }

            PartBytes(temp).ShouldBeGreaterThanOrEqualTo(HeldAfterBytes / 2, "the kill left the staged bytes behind");

            await using var second = ApiProcess.Start(instance, storage, settings);
            await WaitReadyAsync(second);
            await Eventually.TrueAsync(() => Task.FromResult(PartBytes(temp) == 0 && Directory.GetDirectories(temp).Length <= 1),
                TimeSpan.FromSeconds(30), "the restarted API to remove the killed one's temporary data", Ct);
            File.Exists(Path.Combine(storage, body.Hash)).ShouldBeFalse("an upload cut off is never a blob");
        }
        finally
        {
            DeleteQuietly(storage);
        }
    }

    [Fact]
    public async Task Start_LeavesAnotherLiveReplicasUploadInFlight_WhenBothShareTheStorageFolderOnPostgres()
    {
        var server = await Interpreter.Storage.Tests.Infrastructure.TestPostgres.ConnectionStringAsync(Ct);

        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "tmpshare-" + id);
        var temp = Path.Combine(storage, ".internal", "tmp");
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE SCHEMA {schema}");
        var settings = Settings();
        settings["APP_METADATA_BACKEND"] = "postgres";
        settings["APP_METADATA_DATABASE_URL"] = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        try
        {
            await using var first = ApiProcess.Start("tmpshare-a-" + id, storage, settings);
            await WaitReadyAsync(first);
            var body = new GatedUploadContent(UploadBytes, HeldAfterBytes);
            var upload = first.Client.PostUploadAsync("c1", "big.bin", body, Ct);
            await Eventually.TrueAsync(() => Task.FromResult(PartBytes(temp) >= HeldAfterBytes / 2), TimeSpan.FromSeconds(60),
                "the upload to be half staged", Ct);
            var inFlight = Directory.GetFiles(temp, "*.part", SearchOption.AllDirectories).Single();

            // A folder of a process that died (its lock file not held): the second replica's sweep removing it is
            // the signal that its start-up cleanup ran while the first one's upload was in flight.
            var dead = Path.Combine(temp, "p-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dead);
            await File.WriteAllBytesAsync(Path.Combine(dead, "lock"), [], Ct);
            await File.WriteAllBytesAsync(Path.Combine(dead, "left-by-a-crash.part"), new byte[4096], Ct);
            await using var second = ApiProcess.Start("tmpshare-b-" + id, storage, settings);
            await WaitReadyAsync(second);
            await Eventually.TrueAsync(() => Task.FromResult(!Directory.Exists(dead)), TimeSpan.FromSeconds(30),
                "the second replica to clean up the dead process's folder", Ct);

            File.Exists(inFlight).ShouldBeTrue("the live replica's upload in flight must keep its temporary file");
            body.Release();
            using var response = await upload;
            var text = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            JsonSerializer.Deserialize<UploadResponse>(text, ExecuteCalls.Json)!.FileHash.ShouldBe(body.Hash);
            new FileInfo(Path.Combine(storage, body.Hash)).Length.ShouldBe(UploadBytes);
            using var download = await second.Client.DownloadAsync("c1", body.Hash, "big.bin", Ct);
            download.StatusCode.ShouldBe(HttpStatusCode.OK, "the other replica serves it from the shared metadata");
        }
        finally
        {
            DeleteQuietly(storage);
            await ExecuteAsync(server, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static Dictionary<string, string> Settings() => new()
    {
        ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
        ["APP_FILE_SIZE_LIMIT"] = "1Gi",
        ["APP_FILE_SWEEP_INTERVAL_SECONDS"] = "0.5",
    };

    private static async Task WaitReadyAsync(ApiProcess api) =>
        await Eventually.TrueAsync(async () => !api.HasExited && await api.PoolAsync(Ct) is not null, TimeSpan.FromSeconds(60),
            "the API to answer /readyz", Ct);

    /// <summary>Bytes of every staged file under <c>.internal/tmp</c>, in any layout.</summary>
    private static long PartBytes(string temp) =>
        Directory.Exists(temp)
            ? new DirectoryInfo(temp).EnumerateFiles("*.part", SearchOption.AllDirectories).Sum(f => SafeLength(f))
            : 0;

    private static long SafeLength(FileInfo file)
    {
        try
        {
            file.Refresh();
            return file.Exists ? file.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
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
