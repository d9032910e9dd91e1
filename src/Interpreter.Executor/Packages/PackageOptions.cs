using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Configuration;

namespace Interpreter.Executor.Packages;

/// <summary>On-the-fly installation of missing libraries from one package index, bound from <c>APP_PACKAGE_*</c>.</summary>
public sealed class PackageOptions
{
    /// <summary>Configuration section of the <c>APP_</c> variables.</summary>
    public const string Section = "App";

    /// <summary>A PEP 503 simple index (e.g. <c>https://mirror.example/simple/</c>); empty: installs are off.</summary>
    [ConfigurationKeyName("PACKAGE_INDEX_URL")]
    public string IndexUrl { get; set; } = "";

    /// <summary>Largest wheel fetched (the agent takes at most 64 MiB in one request).</summary>
    [ConfigurationKeyName("PACKAGE_MAX_BYTES")]
    public ByteSize MaxBytes { get; set; } = new(50L << 20);

    /// <summary>Seconds the installs of one execution may take in all, before the code runs.</summary>
    [ConfigurationKeyName("PACKAGE_INSTALL_TIMEOUT")]
    public int InstallTimeoutSeconds { get; set; } = 60;

    /// <summary>Folder of the wheel cache (by content); the host sets it under the storage folder.</summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "computesandbox-wheels");

    /// <summary>True when an index is configured.</summary>
    public bool Enabled => IndexUrl.Length > 0;
}
