using System.Security.Cryptography;

namespace Interpreter.IntegrationTests.Image;

/// <summary>
/// npm's beeai-framework 0.1.30 (pinned, with the package-lock.json beside this file) installed under
/// artifacts/beeai-client, and a node script of ours that drives its PythonTool. The install is redone only when
/// the lock file changed (npm ci, from the npm registry; the framework's optional peers are left out).
/// </summary>
internal static class BeeAIClient
{
    private const string LockMarker = ".computesandbox-lock-sha256";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string SourceFolder => Path.Combine(RepositoryRoot(), "tests", "Interpreter.IntegrationTests", "Image", "BeeAI");

    /// <summary>Installs the client when it is missing or stale; returns its folder.</summary>
    public static async Task<string> InstallAsync(CancellationToken ct)
    {
        var target = Path.Combine(RepositoryRoot(), "artifacts", "beeai-client");
        await InstallLock.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(target);
            foreach (var name in new[] { "package.json", "package-lock.json", "drive-python-tool.mjs" })
            {
                File.Copy(Path.Combine(SourceFolder, name), Path.Combine(target, name), overwrite: true);
            }

            var lockHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(target, "package-lock.json"), ct)));
            var marker = Path.Combine(target, "node_modules", LockMarker);
            if (File.Exists(marker) && (await File.ReadAllTextAsync(marker, ct)).Trim() == lockHash)
            {
                return target;
            }

            var (exit, stdout, stderr) = await ExternalProcess.RunAsync("npm",
                ["ci", "--legacy-peer-deps", "--no-audit", "--no-fund", "--ignore-scripts"], target,
                new Dictionary<string, string>(), TimeSpan.FromMinutes(5), ct);
            if (exit != 0)
            {
                throw new InvalidOperationException($"npm ci of beeai-framework failed ({exit}) in {target}:\n{stdout}\n{stderr}");
            }

            await File.WriteAllTextAsync(marker, lockHash, ct);
            return target;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ComputeSandbox.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("the repository root (ComputeSandbox.sln) above the test binaries");
    }
}
