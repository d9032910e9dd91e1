using Interpreter.IntegrationTests.Infrastructure;
using Interpreter.Storage;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// What a run leaves in /workspace reaches the host's storage folder only within the bounds: a file at most
/// APP_FILE_SIZE_LIMIT, the run's files together at most APP_WORKSPACE_SIZE_LIMIT, both by the bytes the files
/// hold (a sparse file's holes count: stored, they would be that big). What is left out is named in stderr, leaves
/// nothing in the storage folder (no temporary file either), and the files within the bounds still come back.
/// The API here has a 16 MiB file limit and a 32 MiB workspace.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class OutputBoundsTests(OutputBoundsTests.SmallLimitsApi api) : IClassFixture<OutputBoundsTests.SmallLimitsApi>
{
    private const long FileLimit = 16 << 20;
    private const long WorkspaceLimit = 32 << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_StoresNothingOfThem_WhenSparseFilesAreLargerThanTheFileLimit()
    {
        const string code = """
            with open('/workspace/sparse.bin', 'wb') as f:
                f.truncate(5 * 2**30)
            with open('/workspace/big.bin', 'wb') as f:
                f.truncate(20 * 2**20)
            open('/workspace/kept.txt', 'w').write('kept')
            print('written')
            """;
        var blobsBefore = Blobs();

        var result = await api.Client.ExecuteWithAsync(new { source_code = code, chat_id = NewChat() }, Ct);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("written\n");
        result.Stderr.ShouldBe(
            $"/workspace/big.bin was not returned: its {20 << 20} bytes are over the file size limit of {FileLimit} bytes (APP_FILE_SIZE_LIMIT).\n"
            + $"/workspace/sparse.bin was not returned: its {5L << 30} bytes are over the file size limit of {FileLimit} bytes (APP_FILE_SIZE_LIMIT).\n");
        result.Files.ShouldBe(new Dictionary<string, string> { ["/workspace/kept.txt"] = FileCalls.Sha256("kept"u8.ToArray()) });
        var added = Blobs().Except(blobsBefore).ToArray();
        added.ShouldBe([FileCalls.Sha256("kept"u8.ToArray())]);
        added.Sum(hash => new FileInfo(Layout.BlobPath(hash)).Length).ShouldBe(4);
        TemporaryFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Execute_ReturnsOnlyWhatFitsTheWorkspaceLimit_WhenTheRunsFilesTogetherHoldMore()
    {
        // Three 12 MiB files (a marker, then holes) and a small one: the first two and the small one are 24 MiB
        // and 5 bytes, the third would make 36 MiB of the 32 MiB allowed.
        const string code = """
            for name in 'abc':
                with open(f'/workspace/{name}.bin', 'wb') as f:
                    f.write(name.encode() * 4096)
                    f.truncate(12 * 2**20)
            open('/workspace/d.txt', 'w').write('small')
            print('written')
            """;
        var blobsBefore = Blobs();

        var result = await api.Client.ExecuteWithAsync(new { source_code = code, chat_id = NewChat() }, Ct);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldBe("written\n");
        result.Stderr.ShouldBe(
            $"/workspace/c.bin was not returned: with its {12 << 20} bytes the run's files would exceed {WorkspaceLimit} bytes in total (APP_WORKSPACE_SIZE_LIMIT).\n");
        var expected = new Dictionary<string, string>
        {
            ["/workspace/a.bin"] = FileCalls.Sha256(Sparse('a')),
            ["/workspace/b.bin"] = FileCalls.Sha256(Sparse('b')),
            ["/workspace/d.txt"] = FileCalls.Sha256("small"u8.ToArray()),
        };
        result.Files.ShouldBe(expected);
        var added = Blobs().Except(blobsBefore).Order().ToArray();
        added.ShouldBe(expected.Values.Order().ToArray());
        added.Sum(hash => new FileInfo(Layout.BlobPath(hash)).Length).ShouldBe((24 << 20) + 5);
        TemporaryFiles().ShouldBeEmpty();
    }

    private StorageLayout Layout => api.Factory.Services.GetRequiredService<StorageLayout>();

    private static byte[] Sparse(char marker)
    {
        var bytes = new byte[12 << 20];
        bytes.AsSpan(0, 4096).Fill((byte)marker);
        return bytes;
    }

    private HashSet<string> Blobs() =>
        Directory.EnumerateFiles(Layout.Root).Select(Path.GetFileName).Where(StorageLayout.IsBlobName).ToHashSet()!;

    private IEnumerable<string> TemporaryFiles() =>
        Directory.Exists(Layout.Temp) ? Directory.EnumerateFiles(Layout.Temp).ToArray() : [];

    private static string NewChat() => "bounds-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The API with small output bounds, one ready sandbox.</summary>
    public sealed class SmallLimitsApi : IAsyncLifetime
    {
        public SandboxApiFactory Factory { get; } = new(new Dictionary<string, string>
        {
            ["App:FILE_SIZE_LIMIT"] = "16Mi",
            ["App:WORKSPACE_SIZE_LIMIT"] = "32Mi",
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "1",
        });

        public HttpClient Client { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Client = await Factory.StartAsync(ready: 1, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            Client?.Dispose();
            await Factory.DisposeAsync();
        }
    }
}
