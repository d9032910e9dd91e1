using System.Text.RegularExpressions;

namespace Interpreter.Storage;

/// <summary>
/// Where things live under APP_FILE_STORAGE_PATH. The top level holds only blobs named by their SHA-256
/// (co-located agent frameworks read and write it directly); everything else is under <c>.internal/</c>.
/// </summary>
public sealed partial class StorageLayout
{
    /// <summary>Creates the layout of <paramref name="root"/>.</summary>
    public StorageLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Internal = Path.Combine(Root, ".internal");
        Temp = Path.Combine(Internal, "tmp");
        DefaultMetadataDatabase = Path.Combine(Internal, "metadata.litedb");
        LegacySqliteDatabase = Path.Combine(Internal, "metadata.db");
    }

    /// <summary>The storage folder.</summary>
    public string Root { get; }

    /// <summary>Private sub-folder for everything that is not a blob.</summary>
    public string Internal { get; }

    /// <summary>Files being written; moved into <see cref="Root"/> once complete and hashed.</summary>
    public string Temp { get; }

    /// <summary>The LiteDB metadata database unless APP_METADATA_DATABASE_URL names another file.</summary>
    public string DefaultMetadataDatabase { get; }

    /// <summary>The SQLite metadata database of releases before LiteDB, migrated on the first start.</summary>
    public string LegacySqliteDatabase { get; }

    /// <summary>True for a lowercase hex SHA-256, the only names blobs have.</summary>
    public static bool IsBlobName(string? name) => name is { Length: 64 } && HashPattern().IsMatch(name);

    /// <summary>Path of the blob <paramref name="hash"/>; throws for anything that is not a hash.</summary>
    public string BlobPath(string hash) => IsBlobName(hash)
        ? Path.Combine(Root, hash)
        : throw new ArgumentException("A blob is named by a lowercase hex SHA-256.", nameof(hash));

    /// <summary>Creates the folders.</summary>
    public void EnsureCreated()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Temp);
    }

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    private static partial Regex HashPattern();
}
