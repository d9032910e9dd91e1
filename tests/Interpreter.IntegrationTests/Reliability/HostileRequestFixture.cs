using Interpreter.Executor.Docker;
using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// One API (real Kestrel, a real Docker pool of one) whose storage folder sits two levels below a folder of this
/// fixture's own, so a traversal of <c>../../</c> out of storage lands where the fixture looks. Chat A uploads one
/// file before the cases run; <see cref="AssertNothingWrittenOutsideStorageAsync"/> compares the disk and the
/// metadata with how they were then.
/// </summary>
public sealed class HostileRequestFixture : IAsyncLifetime
{
    private IReadOnlySet<string> _storageEntries = new HashSet<string>();

    public HostileRequestFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "computesandbox-hostile-" + Guid.NewGuid().ToString("N")[..10]);
        StoragePath = Path.Combine(Root, "a", "b", "storage");
        Api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:FILE_STORAGE_PATH"] = StoragePath,
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
            ["App:FILE_SIZE_LIMIT"] = "1Mi",
        });
    }

    public SandboxApiFactory Api { get; }

    public HttpClient Client { get; private set; } = null!;

    public int Port => Client.BaseAddress!.Port;

    /// <summary>This fixture's own folder; nothing but the storage folder may appear in it.</summary>
    public string Root { get; }

    public string StoragePath { get; }

    public async ValueTask InitializeAsync()
    {
        using (var docker = new DockerEngine("unix:///var/run/docker.sock"))
        {
            if (!await docker.PingAsync(CancellationToken.None))
            {
                throw new InvalidOperationException("No Docker engine answers on /var/run/docker.sock; run scripts/test.sh, which starts one.");
            }

            if (!await docker.ImageExistsAsync(TestImage.Name, CancellationToken.None))
            {
                throw new InvalidOperationException($"Image {TestImage.Name} is missing; run scripts/build-executor-image.sh.");
            }
        }

        Directory.CreateDirectory(StoragePath);
        Client = await Api.StartAsync(ready: 1, CancellationToken.None);
        var upload = await Client.UploadAsync(HostileRequestCases.ChatA, HostileRequestCases.FileAName, HostileRequestCases.FileA,
            CancellationToken.None, maxDownloads: 0);
        upload.FileHash.ShouldBe(HostileRequestCases.HashA);
        _storageEntries = StorageEntries();
    }

    /// <summary>
    /// Nothing outside the storage folder: this fixture's folder holds only the folders leading to storage, and no file
    /// with the canary in its name exists in it, in storage, in /, in the temp folder or in the working and app folders.
    /// Inside storage: no new blob, no staged file left behind, and no metadata for chat B, while chat A's file is untouched.
    /// </summary>
    public async Task AssertNothingWrittenOutsideStorageAsync(CancellationToken ct)
    {
        var storage = Path.GetFullPath(StoragePath);
        Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
            .Where(entry => !Path.GetFullPath(entry).StartsWith(storage, StringComparison.Ordinal))
            .Select(entry => Path.GetRelativePath(Root, entry))
            .Order(StringComparer.Ordinal)
            .ToArray()
            .ShouldBe(new[] { "a", Path.Combine("a", "b") }, "only the folders leading to storage may be in the fixture's folder");

        string[] shallow = ["/", Path.GetTempPath(), Environment.CurrentDirectory, AppContext.BaseDirectory, Path.GetDirectoryName(storage)!];
        var canaries = shallow.SelectMany(folder => Directory.EnumerateFileSystemEntries(folder, $"*{HostileRequestCases.Canary}*"))
            .Concat(Directory.EnumerateFileSystemEntries(Root, $"*{HostileRequestCases.Canary}*", SearchOption.AllDirectories));
        canaries.ShouldBeEmpty("a path-traversal name reached the disk");

        StorageEntries().Order(StringComparer.Ordinal).ShouldBe(_storageEntries.Order(StringComparer.Ordinal), "no hostile request may store a blob");
        await Eventually.TrueAsync(() => Task.FromResult(!Directory.EnumerateFiles(Path.Combine(storage, ".internal", "tmp"), "*.part", SearchOption.AllDirectories).Any()),
            TimeSpan.FromSeconds(10), "staged upload files to be discarded", ct);

        var metadata = Api.Services.GetRequiredService<IFileMetadataStore>();
        foreach (var chat in new[] { HostileRequestCases.ChatB, "default" })
        {
            (await metadata.FindLiveAsync(chat, HostileRequestCases.HashA, ct)).ShouldBeNull($"{chat} must not get chat A's file");
            (await metadata.FindLiveAsync(chat, HostileRequestCases.UnknownHash, ct)).ShouldBeNull($"{chat} must not get an unknown hash");
            (await metadata.GetWorkspaceAsync(chat, ct)).ShouldBeEmpty($"{chat} must not get a remembered workspace");
        }

        (await metadata.FindLiveAsync(HostileRequestCases.ChatA, HostileRequestCases.HashA, ct)).ShouldNotBeNull(
            "chat A's file must survive other chats' requests");
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private HashSet<string> StorageEntries() =>
        Directory.EnumerateFileSystemEntries(StoragePath).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal)!;
}
