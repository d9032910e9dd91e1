using Microsoft.Extensions.Configuration;

namespace Interpreter.Storage;

/// <summary>File storage settings, bound from <c>APP_*</c> variables (section <see cref="Section"/>).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section every <c>APP_</c> variable lands in.</summary>
    public const string Section = "App";

    /// <summary>Folder holding blobs as <c>&lt;sha256 hex&gt;</c> (flat), shared with co-located agent frameworks.</summary>
    [ConfigurationKeyName("FILE_STORAGE_PATH")]
    public string FileStoragePath { get; set; } = "/tmp/code_interp";
}
