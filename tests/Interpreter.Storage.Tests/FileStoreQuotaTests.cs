using System.Security.Cryptography;
using Interpreter.Storage.Blobs;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Interpreter.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class FileStoreQuotaTests : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly LiteDbFileMetadataStore _metadata;
    private readonly StorageLayout _layout;

    public FileStoreQuotaTests()
    {
        _layout = new StorageLayout(_folder.Path);
        _metadata = new LiteDbFileMetadataStore(_layout.DefaultMetadataDatabase, _clock, TimeSpan.Zero);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Save_RefusesNamingTheVariable_WhenTheChatQuotaWouldBeExceeded()
    {
        var files = Store(new StorageOptions { ChatStorageQuotaBytes = 1000 });
        await SaveAsync(files, "c1", "a", 600);

        var refused = await Should.ThrowAsync<StorageQuotaExceededException>(() => SaveAsync(files, "c1", "b", 600));
        await SaveAsync(files, "c2", "b", 600);

        refused.Variable.ShouldBe("APP_CHAT_STORAGE_QUOTA_BYTES");
        refused.Message.ShouldContain("APP_CHAT_STORAGE_QUOTA_BYTES=1000");
        Directory.EnumerateFiles(_folder.Path).Count().ShouldBe(2, "nothing of the refused file reaches the storage folder");
        Directory.EnumerateFiles(_layout.Temp, "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task Save_RefusesNamingTheVariable_WhenTheChatHoldsTheMostFiles()
    {
        var files = Store(new StorageOptions { ChatFileLimit = 2 });
        await SaveAsync(files, "c1", "a", 10);
        await SaveAsync(files, "c1", "b", 10);

        var refused = await Should.ThrowAsync<StorageQuotaExceededException>(() => SaveAsync(files, "c1", "c", 10));

        refused.Variable.ShouldBe("APP_CHAT_FILE_LIMIT");
    }

    [Fact]
    public async Task Save_CountsOnlyLiveFiles_WhenOthersExpired()
    {
        var files = Store(new StorageOptions { ChatFileLimit = 1 });
        await SaveAsync(files, "c1", "a", 10, new DownloadLimits(ExpiresSeconds: 5));
        _clock.Advance(TimeSpan.FromSeconds(6));

        var saved = await SaveAsync(files, "c1", "b", 10);

        saved.Filename.ShouldBe("b");
    }

    [Fact]
    public async Task Save_RefusesNewBytesButNotStoredOnes_WhenTheTotalQuotaWouldBeExceeded()
    {
        var files = Store(new StorageOptions { StorageQuotaBytes = 1000 });
        var bytes = RandomNumberGenerator.GetBytes(700);
        await SaveAsync(files, "c1", "a", bytes);

        var refused = await Should.ThrowAsync<StorageQuotaExceededException>(() => SaveAsync(files, "c2", "b", 700));
        var sameBytes = await SaveAsync(files, "c2", "again", bytes);

        refused.Variable.ShouldBe("APP_STORAGE_QUOTA_BYTES");
        sameBytes.Size.ShouldBe(700);
    }

    public async ValueTask DisposeAsync()
    {
        await _metadata.DisposeAsync();
        _folder.Dispose();
    }

    private FileStore Store(StorageOptions settings)
    {
        settings.FileStoragePath = _folder.Path;
        var blobs = new BlobStore(_layout, new BlobLeases(), _clock, NullLogger<BlobStore>.Instance);
        return new FileStore(blobs, _metadata, Options.Create(settings), _clock, NullLogger<FileStore>.Instance);
    }

    private static Task<FileRecord> SaveAsync(FileStore files, string chat, string name, int size, DownloadLimits? limits = null) =>
        SaveAsync(files, chat, name, RandomNumberGenerator.GetBytes(size), limits);

    private static async Task<FileRecord> SaveAsync(FileStore files, string chat, string name, byte[] bytes, DownloadLimits? limits = null)
    {
        await using var staged = await files.StageAsync(new MemoryStream(bytes), long.MaxValue, Ct);
        return await files.SaveAsync(staged, new NewFile(chat, name, "application/octet-stream", limits ?? DownloadLimits.Default), Ct);
    }
}
