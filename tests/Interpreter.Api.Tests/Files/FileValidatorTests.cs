using Interpreter.Api.Configuration;
using Interpreter.Api.Features.Files.Download;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.Storage;
using Interpreter.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Api.Tests.Files;

public sealed class FileValidatorTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "validator-" + Guid.NewGuid().ToString("N"));
    private StagedBlob? _staged;

    [Theory]
    [InlineData("report.csv", true)]
    [InlineData("a-b_c.1", true)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("../x", false)]
    [InlineData("with space.txt", false)]
    [InlineData("", false)]
    public async Task UploadForm_ChecksTheFilename_WhenValidated(string filename, bool valid)
    {
        var form = new UploadForm { ChatId = "c1", Filename = filename, File = await StagedAsync() };
        var validator = new UploadFormValidator(Options.Create(new ApiOptions()));

        var result = validator.Validate(form);

        result.Errors.Any(e => e.PropertyName == "filename").ShouldBe(!valid);
    }

    [Fact]
    public async Task UploadForm_RequiresChatId_OnlyWhenConfigured()
    {
        var form = new UploadForm { Filename = "a.txt", File = await StagedAsync() };

        var required = new UploadFormValidator(Options.Create(new ApiOptions { RequireChatId = true })).Validate(form);
        var optional = new UploadFormValidator(Options.Create(new ApiOptions { RequireChatId = false })).Validate(form);

        required.Errors.Select(e => e.PropertyName).ShouldBe(["chat_id"]);
        optional.IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData("c1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "résumé 1.pdf", null)]
    [InlineData("c1", "AAAA", "a.txt", "file_hash")]
    [InlineData("c 1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a.txt", "chat_id")]
    [InlineData("c1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a/b.txt", "filename")]
    [InlineData("c1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "..", "filename")]
    [InlineData(null, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a.txt", "chat_id")]
    public void DownloadRequest_NamesTheBadField_WhenValidated(string? chat, string hash, string filename, string? field)
    {
        var validator = new DownloadRequestValidator(Options.Create(new ApiOptions()));

        var result = validator.Validate(new DownloadRequest { ChatId = chat, FileHash = hash, Filename = filename });

        result.Errors.Select(e => e.PropertyName).Distinct().ShouldBe(field is null ? [] : [field]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_staged is not null)
        {
            await _staged.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task<StagedBlob> StagedAsync()
    {
        var blobs = new BlobStore(new StorageLayout(_root), new BlobLeases(), TimeProvider.System, NullLogger<BlobStore>.Instance);
        _staged = await blobs.StageAsync(new MemoryStream([1, 2, 3]), 100, TestContext.Current.CancellationToken);
        return _staged;
    }
}
