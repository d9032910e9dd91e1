using Interpreter.Storage.Metadata;
using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class StorageOptionsValidatorTests
{
    [Fact]
    public void Validate_Succeeds_WhenDefaults()
    {
        new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData("litedb")]
    [InlineData("sqlite")]
    public void Validate_AcceptsTheEmbeddedBackend_WhenNamedAsNowOrAsBefore(string backend)
    {
        var options = new StorageOptions { MetadataBackend = backend };

        var result = new StorageOptionsValidator().Validate(null, options);

        result.Succeeded.ShouldBeTrue();
        options.UsesLiteDb.ShouldBeTrue("'sqlite' of earlier releases means LiteDB (migrated on the first start)");
        new StorageOptions().MetadataBackend.ShouldBe("litedb");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3601)]
    public void Validate_NamesTheOwnerWait_WhenOutOfRange(double seconds)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { MetadataOwnerWaitSeconds = seconds });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("APP_METADATA_OWNER_WAIT_SECONDS");
    }

    [Theory]
    [InlineData("FILE_STORAGE_PATH", "relative/path", "sqlite", "", 60, 0)]
    [InlineData("GLOBAL_MAX_DOWNLOADS", "/tmp/x", "sqlite", "", 60, -1)]
    [InlineData("METADATA_BACKEND", "/tmp/x", "mysql", "", 60, 0)]
    [InlineData("METADATA_DATABASE_URL", "/tmp/x", "postgres", "", 60, 0)]
    [InlineData("METADATA_DATABASE_URL", "/tmp/x", "sqlite", "relative.db", 60, 0)]
    [InlineData("FILE_SWEEP_INTERVAL_SECONDS", "/tmp/x", "sqlite", "", 0, 0)]
    [InlineData("METADATA_DATABASE_URL", "/tmp/x", "litedb", "relative.litedb", 60, 0)]
    public void Validate_NamesTheVariable_WhenSettingInvalid(
        string variable, string path, string backend, string url, double sweep, long maxDownloads)
    {
        var options = new StorageOptions
        {
            FileStoragePath = path,
            MetadataBackend = backend,
            MetadataDatabaseUrl = url,
            SweepIntervalSeconds = sweep,
            GlobalMaxDownloads = maxDownloads,
        };

        var result = new StorageOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("APP_" + variable);
    }

    [Theory]
    [InlineData("CHAT_STORAGE_QUOTA_BYTES")]
    [InlineData("CHAT_FILE_LIMIT")]
    [InlineData("STORAGE_QUOTA_BYTES")]
    public void Validate_NamesTheQuota_WhenNegative(string variable)
    {
        var options = new StorageOptions();
        switch (variable)
        {
            case "CHAT_STORAGE_QUOTA_BYTES": options.ChatStorageQuotaBytes = -1; break;
            case "CHAT_FILE_LIMIT": options.ChatFileLimit = -1; break;
            default: options.StorageQuotaBytes = -1; break;
        }

        var result = new StorageOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("APP_" + variable);
    }

    [Fact]
    public void Normalize_ReadsEveryPart_WhenGivenAUrl()
    {
        var normalized = PostgresConnectionString.Normalize("postgresql://app%40x:p%3Ass@db.internal:6543/files?sslmode=require");

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(normalized);
        builder.Host.ShouldBe("db.internal");
        builder.Port.ShouldBe(6543);
        builder.Username.ShouldBe("app@x");
        builder.Password.ShouldBe("p:ss");
        builder.Database.ShouldBe("files");
        builder.SslMode.ShouldBe(Npgsql.SslMode.Require);
    }

    [Fact]
    public void Normalize_KeepsAKeywordString_AndRejectsNonsense()
    {
        new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize("Host=h;Port=1;Database=d")).Host.ShouldBe("h");
        Should.Throw<FormatException>(() => PostgresConnectionString.Normalize("postgresql://h/db?bogus_option=1"));
        Should.Throw<FormatException>(() => PostgresConnectionString.Normalize("Database=d"));
    }
}
