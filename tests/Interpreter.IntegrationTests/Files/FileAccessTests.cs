using System.Net;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>Upload spawns work and is guarded like execute; download and expire are guarded by chat ownership.</summary>
[Collection(FilesCollection.Name)]
public sealed class FileAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_Answers403AndStoresNothing_WhileDownloadAndExpireAnswer404_WhenClientNotAllowed()
    {
        await using var api = new SandboxApiFactory(new Dictionary<string, string>
        {
            ["App:EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            ["App:INTERNAL_IP_ALLOWLIST"] = "",
        });
        using var client = await api.StartAsync(ready: 0, Ct);

        using var upload = await client.PostUploadAsync("c1", "a.txt", new ByteArrayContent([1, 2, 3]), Ct);
        using var download = await client.DownloadAsync("c1", new string('a', 64), "a.txt", Ct);
        using var expire = await client.ExpireAsync("c1", new string('a', 64), "a.txt", Ct);

        upload.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (Directory.Exists(api.StoragePath) ? Directory.GetFiles(api.StoragePath) : []).ShouldBeEmpty();
        download.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        expire.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
