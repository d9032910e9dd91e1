using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace Interpreter.Storage.Tests.Metadata;

/// <summary>
/// The first start on a storage folder of the release before LiteDB: Assets/storage-a7f8270 was written by that
/// release's own code (see its README), and a migration killed with -9 halfway completes on the next start.
/// </summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private const string Data = "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470";
    private const string Notes = "6469558ba2f9e56ae343ba22053ccdc0a303ad9a83f554de3314edc8428d4ae6";
    private const string Script = "caf026f25d7140209f98072605307a438914b9ce6f3c14b23d15d9667241de52";
    private const string Once = "4854a21f4be68131c1ef65f8fa12d47a7caada5ab95d33ad2e7f474823f405e9";

    private readonly TempFolder _folder = new();
    private readonly StorageLayout _layout;

    public SqliteMigrationTests()
    {
        _layout = new StorageLayout(_folder.Path);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstStart_KeepsEveryRowWorkspaceAndRetiredHash_WhenTheFolderWasWrittenByTheReleaseBefore()
    {
        CopyAsset();
        var before = await ReadSqliteFilesAsync(_layout.LegacySqliteDatabase);

        await using var store = Open();
        await store.InitializeAsync(Ct);

        var files = new[]
        {
            await store.FindLiveAsync("chat-one", Data, Ct),
            await store.FindLiveAsync("chat-one", Notes, Ct),
            await store.FindLiveAsync("chat-two", Data, Ct),
            await store.FindLiveAsync("chat-ws", Script, Ct),
        };
        files.Select(f => f.ShouldNotBeNull()).Select(Row).Order(StringComparer.Ordinal)
            .ShouldBe(before.Order(StringComparer.Ordinal), "owner, name, size, type, downloads left, expiry and created_at");
        files[0]!.RemainingDownloads.ShouldBe(2);
        files[1]!.Filename.ShouldBe("notes é.txt");
        (await store.GetWorkspaceAsync("chat-ws", Ct)).Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal)
            .ShouldBe([$"/workspace/main.py={Script}", $"/workspace/out/result.csv={Data}"]);
        (await store.ListRetiredAsync(Ct)).ShouldBe([Once]);
        (await store.WasEverNamedAsync(Once, Ct)).ShouldBeTrue("a retired hash is never adopted, before or after the upgrade");
        (await store.ConsumeDownloadAsync(files[0]!.Key, Ct))!.RemainingDownloads.ShouldBe(1);
        File.Exists(_layout.LegacySqliteDatabase).ShouldBeFalse();
        File.Exists(_layout.LegacySqliteDatabase + SqliteMetadataMigration.MigratedSuffix).ShouldBeTrue("the old database is kept");
    }

    [Fact]
    public async Task SecondStart_LeavesTheMigratedDatabaseAlone_WhenTheMigrationCompleted()
    {
        CopyAsset();
        await using (var first = Open())
        {
            await first.InitializeAsync(Ct);
            var file = await first.FindLiveAsync("chat-one", Data, Ct);
            await first.ConsumeDownloadAsync(file!.Key, Ct);
        }

        await using var second = Open();
        var again = await second.FindLiveAsync("chat-one", Data, Ct);

        again!.RemainingDownloads.ShouldBe(1, "a download taken after the migration is not undone by a second one");
    }

    [Fact]
    public async Task NextStart_CompletesTheMigration_WhenTheFirstWasKilledHalfway()
    {
        var rows = await WriteLargeSqliteAsync(200_000);
        await using var migrating = HostProcess.Start("migrate", _folder.Path);
        var side = SqliteMetadataMigration.SideFile(_layout.DefaultMetadataDatabase);
        await Eventually.TrueAsync(() => File.Exists(side) && new FileInfo(side).Length > 0 || File.Exists(SqliteMetadataMigration.LogFile(side)),
            TimeSpan.FromSeconds(60), Ct);
        await migrating.KillHardAsync();
        var cutShort = !File.Exists(_layout.DefaultMetadataDatabase);

        await using var store = Open();
        await store.InitializeAsync(Ct);

        cutShort.ShouldBeTrue("the kill came before the copy was complete");
        File.Exists(side).ShouldBeFalse("the partial copy is gone");
        File.Exists(_layout.LegacySqliteDatabase + SqliteMetadataMigration.MigratedSuffix).ShouldBeTrue();
        (await store.GetChatUsageAsync(new FileKey("chat", "none", "none"), Ct)).Files.ShouldBe(rows);
        (await store.FindLiveAsync("chat", (rows - 1).ToString("x64", System.Globalization.CultureInfo.InvariantCulture), Ct)).ShouldNotBeNull();
    }

    public void Dispose() => _folder.Dispose();

    private LiteDbFileMetadataStore Open() =>
        new(_layout.DefaultMetadataDatabase, TimeProvider.System, TimeSpan.FromSeconds(10), _layout.LegacySqliteDatabase);

    private static string Row(FileRecord f) => string.Join('|', f.ChatId, f.Hash, f.Filename, f.Size, f.ContentType,
        f.RemainingDownloads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null",
        f.ExpiresAt?.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null",
        f.CreatedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    private void CopyAsset()
    {
        var asset = Path.Combine(AppContext.BaseDirectory, "Assets", "storage-a7f8270", "folder");
        foreach (var file in Directory.EnumerateFiles(asset, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder.Path, Path.GetRelativePath(asset, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<List<string>> ReadSqliteFilesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT chat_id, file_hash, filename, size, content_type, remaining_downloads, expires_at, created_at FROM files";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(string.Join('|', Enumerable.Range(0, 8).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>The release-before schema (as in Assets/.../metadata.db) with many rows, so a migration takes a while.</summary>
    private async Task<long> WriteLargeSqliteAsync(int rows)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Assets", "storage-a7f8270", "folder", ".internal", "metadata.db"),
            EnsureFolder(_layout.LegacySqliteDatabase));
        await using var connection = new SqliteConnection($"Data Source={_layout.LegacySqliteDatabase};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var clear = connection.CreateCommand();
        clear.CommandText = "DELETE FROM files; DELETE FROM workspace_files; DELETE FROM retired_blobs;";
        await clear.ExecuteNonQueryAsync(Ct);
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO files VALUES ('chat', $h, $n, 1, 'text/plain', NULL, NULL, 1796420456884)";
        var hash = insert.Parameters.Add("$h", SqliteType.Text);
        var name = insert.Parameters.Add("$n", SqliteType.Text);
        for (var i = 0; i < rows; i++)
        {
            hash.Value = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
            name.Value = "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await transaction.CommitAsync(Ct);
        return rows;
    }

    private static string EnsureFolder(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }
}
