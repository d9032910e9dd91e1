using System.Net.Http.Headers;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.Storage;
using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Api.Tests.Files;

public sealed class UploadFormReaderTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "upload-reader-" + Guid.NewGuid().ToString("N"));
    private readonly LiteDbFileMetadataStore _metadata;
    private readonly FileStore _files;
    private readonly BlobStore _blobs;

    public UploadFormReaderTests()
    {
        var layout = new StorageLayout(_root);
        _blobs = new BlobStore(layout, new BlobLeases(), TimeProvider.System, NullLogger<BlobStore>.Instance);
        _metadata = new LiteDbFileMetadataStore(layout.DefaultMetadataDatabase, TimeProvider.System, TimeSpan.Zero);
        _files = new FileStore(_blobs, _metadata, Options.Create(new StorageOptions { FileStoragePath = _root }),
            TimeProvider.System, NullLogger<FileStore>.Instance);
    }

    [Fact]
    public async Task Read_StagesFileAndFields_WhenFieldsComeInAnyOrder()
    {
        var request = await MultipartRequestAsync(("max_downloads", "3"), ("upload", "hello"), ("chat_id", "c1"));

        await using var form = await UploadFormReader.ReadAsync(request, _files, 1 << 20, TestContext.Current.CancellationToken);

        form.ChatId.ShouldBe("c1");
        form.MaxDownloads.ShouldBe(3);
        form.Filename.ShouldBe("data.csv");
        form.File.ShouldNotBeNull();
        form.File.Size.ShouldBe(5);
        form.File.Hash.ShouldBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }

    [Theory]
    [InlineData("no closing boundary", 0)]
    [InlineData("cut inside the file", 12)]
    [InlineData("cut inside the part headers", 200)]
    public async Task Read_Answers400AndKeepsNothing_WhenBodyEndsBeforeClosingBoundary(string cut, int extraBytesCut)
    {
        var request = await MultipartRequestAsync(("chat_id", "c1"), ("upload", "hello, this file is cut short"));
        var whole = ((MemoryStream)request.Body).ToArray();
        var closing = System.Text.Encoding.ASCII.GetByteCount("--\r\n") + request.ContentType!.Split("boundary=")[1].Trim('"').Length + 4;
        request.Body = new MemoryStream(whole[..(whole.Length - closing - extraBytesCut)]);

        var error = await Should.ThrowAsync<Interpreter.Api.Errors.ApiProblemException>(
            () => UploadFormReader.ReadAsync(request, _files, 1 << 20, TestContext.Current.CancellationToken));

        error.StatusCode.ShouldBe(StatusCodes.Status400BadRequest, cut);
        error.Message.ShouldContain("closing boundary", Case.Insensitive, cut);
        (Directory.Exists(_root) ? Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories) : [])
            // The process's own temporary folder keeps its lock file for its whole life; nothing else may remain.
            .Where(f => !f.Contains("metadata", StringComparison.Ordinal) && Path.GetFileName(f) != "lock").ShouldBeEmpty(cut);
    }

    public async ValueTask DisposeAsync()
    {
        await _metadata.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<HttpRequest> MultipartRequestAsync(params (string Name, string Value)[] parts)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in parts)
        {
            if (name == "upload")
            {
                var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(value));
                file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                content.Add(file, name, "data.csv");
            }
            else
            {
                content.Add(new StringContent(value), name);
            }
        }

        var body = new MemoryStream();
        await content.CopyToAsync(body);
        body.Position = 0;
        var context = new DefaultHttpContext();
        context.Request.ContentType = content.Headers.ContentType!.ToString();
        context.Request.Body = body;
        return context.Request;
    }
}
