using Interpreter.Storage.Metadata;
using Microsoft.Extensions.Options;

namespace Interpreter.Storage;

/// <summary>Stops start-up on a bad storage setting, naming the APP_ variable to fix.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();

        void Require(bool ok, string variable, string rule)
        {
            if (!ok)
            {
                errors.Add($"APP_{variable} {rule}.");
            }
        }

        Require(Path.IsPathRooted(options.FileStoragePath), "FILE_STORAGE_PATH", "must be an absolute path");
        Require(options.GlobalMaxDownloads >= 0, "GLOBAL_MAX_DOWNLOADS", "must be 0 (unlimited) or more");
        Require(options.MetadataBackend is "litedb" or "postgres" or "sqlite", "METADATA_BACKEND",
            "must be 'litedb' or 'postgres' ('sqlite', of earlier releases, is migrated to 'litedb')");
        Require(options.MetadataOwnerWaitSeconds is >= 0 and <= 3600, "METADATA_OWNER_WAIT_SECONDS",
            "must be between 0 and 3600 seconds");
        Require(options.SweepIntervalSeconds is >= 0.05 and <= 86_400, "FILE_SWEEP_INTERVAL_SECONDS",
            "must be between 0.05 and 86400 seconds");
        Require(options.OrphanGraceSeconds is >= 0 and <= 365 * 86_400, "FILE_ORPHAN_GRACE_SECONDS",
            "must be between 0 and 31536000 seconds");

        Require(options.ChatStorageQuotaBytes >= 0, "CHAT_STORAGE_QUOTA_BYTES", "must be 0 (unlimited) or more bytes");
        Require(options.ChatFileLimit >= 0, "CHAT_FILE_LIMIT", "must be 0 (unlimited) or more files");
        Require(options.StorageQuotaBytes >= 0, "STORAGE_QUOTA_BYTES", "must be 0 (unlimited) or more bytes");

        if (options.MetadataBackend == "postgres")
        {
            try
            {
                PostgresConnectionString.Normalize(options.MetadataDatabaseUrl);
            }
            catch (FormatException e)
            {
                errors.Add($"APP_METADATA_DATABASE_URL must be a postgresql:// URL or an Npgsql connection string when APP_METADATA_BACKEND=postgres: {e.Message}");
            }
        }
        else if (options.MetadataDatabaseUrl.Length > 0)
        {
            Require(Path.IsPathRooted(options.MetadataDatabaseUrl), "METADATA_DATABASE_URL",
                "must be an absolute file path when APP_METADATA_BACKEND=litedb (or empty for <storage>/.internal/metadata.litedb)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
