using Interpreter.Executor.Agent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Packages;

/// <summary>
/// Before a run: the modules the source imports that the sandbox cannot import are installed from the package index,
/// with the distributions they require, by handing the wheels (fetched and checked by the service) to the agent,
/// which unpacks them inside the sandbox. The sandbox itself reaches no network. What could not be installed is said
/// in the run's stderr; the code then meets Python's own ModuleNotFoundError.
/// </summary>
public sealed partial class PackageInstaller(PackageIndex index, IOptions<PackageOptions> options, ILogger<PackageInstaller> logger)
{
    /// <summary>Distributions installed for one run at most (dependencies included).</summary>
    public const int MaxPerRun = 20;

    private readonly PackageOptions _options = options.Value;

    /// <summary>True when <c>APP_PACKAGE_INDEX_URL</c> is set.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Installs what <paramref name="source"/> imports and the sandbox lacks; returns lines for the run's stderr.</summary>
    public async Task<IReadOnlyList<string>> InstallMissingAsync(AgentClient agent, string source, CancellationToken ct)
    {
        if (!Enabled)
        {
            return [];
        }

        var modules = ImportScanner.Modules(source);
        if (modules.Count == 0)
        {
            return [];
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.InstallTimeoutSeconds));
        var notes = new List<string>();
        var installed = 0;
        try
        {
            var missing = await agent.MissingModulesAsync(modules, deadline.Token);
            var queue = new Queue<(string Distribution, string Why)>(missing.Select(m => (DistributionNames.For(m), $"for `import {m}`")));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (queue.TryDequeue(out var next))
            {
                if (!seen.Add(PackageIndex.Normalize(next.Distribution)))
                {
                    continue;
                }

                if (installed >= MaxPerRun)
                {
                    notes.Add($"Not installed: '{next.Distribution}' ({next.Why}): at most {MaxPerRun} distributions are installed for one run.");
                    continue;
                }

                try
                {
                    var wheel = await index.FetchAsync(next.Distribution, deadline.Token);
                    var requires = await agent.PutPackageAsync(wheel, deadline.Token);
                    installed++;
                    foreach (var requirement in requires)
                    {
                        queue.Enqueue((requirement, $"required by {next.Distribution}"));
                    }
                }
                catch (PackageInstallException e)
                {
                    notes.Add($"Could not install '{next.Distribution}' ({next.Why}) from APP_PACKAGE_INDEX_URL: {e.Message}.");
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            notes.Add($"Installing missing packages took longer than APP_PACKAGE_INSTALL_TIMEOUT ({_options.InstallTimeoutSeconds} s); the rest were not installed.");
        }

        LogInstalled(installed, notes.Count);
        return notes;
    }

    /// <summary>The line said after a ModuleNotFoundError when installs are off.</summary>
    public static string InstallsOffNote =>
        "Missing modules are not installed: APP_PACKAGE_INDEX_URL is not set (the sandbox has no network).";

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed {Installed} distributions for a run; {Failed} could not be")]
    private partial void LogInstalled(int installed, int failed);
}
