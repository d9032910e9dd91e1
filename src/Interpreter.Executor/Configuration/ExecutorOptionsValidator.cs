using System.Text.RegularExpressions;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Configuration;

/// <summary>Stops start-up on a bad setting, naming the APP_ variable to fix.</summary>
internal sealed partial class ExecutorOptionsValidator : IValidateOptions<ExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutorOptions options)
    {
        var errors = new List<string>();

        void Require(bool ok, string variable, string rule)
        {
            if (!ok)
            {
                errors.Add($"APP_{variable} {rule}.");
            }
        }

        Require(options.Backend is "docker" or "kubernetes", "EXECUTOR_BACKEND", "must be 'docker' or 'kubernetes'");
        Require(!string.IsNullOrWhiteSpace(options.Image), "EXECUTOR_IMAGE", "must name an image");
        Require(options.PoolTargetLength is >= 0 and <= 1000, "EXECUTOR_POD_QUEUE_TARGET_LENGTH", "must be between 0 and 1000");
        Require(options.MaxSandboxes >= 1 && options.MaxSandboxes >= options.PoolTargetLength, "EXECUTOR_MAX_SANDBOXES",
            "must be at least 1 and at least APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH");
        Require(options.RefillConcurrency is >= 1 and <= 64, "EXECUTOR_REFILL_CONCURRENCY", "must be between 1 and 64");
        Require(NamePrefixPattern().IsMatch(options.NamePrefix), "EXECUTOR_POD_NAME_PREFIX",
            "must be 1-40 lowercase letters, digits or '-', starting with a letter");
        Require(options.MaxIdleSeconds >= 1, "EXECUTOR_MAX_IDLE_SECONDS", "must be at least 1");
        Require(options.AcquireTimeoutSeconds is > 0 and <= 3600, "EXECUTOR_ACQUIRE_TIMEOUT", "must be between 0 and 3600 seconds");
        Require(options.StartupTimeoutSeconds is > 0 and <= 3600, "EXECUTOR_STARTUP_TIMEOUT", "must be between 0 and 3600 seconds");
        Require(options.MaxTimeoutSeconds >= 1, "EXECUTION_TIMEOUT_MAX", "must be at least 1");
        Require(options.DefaultTimeoutSeconds >= 1 && options.DefaultTimeoutSeconds <= options.MaxTimeoutSeconds,
            "EXECUTION_TIMEOUT", "must be between 1 and APP_EXECUTION_TIMEOUT_MAX");
        Require(options.MaxOutputBytes >= 1024, "MAX_OUTPUT_BYTES", "must be at least 1024");
        Require(options.WorkspaceSizeLimit.Bytes >= 1 << 20, "WORKSPACE_SIZE_LIMIT", "must be at least 1Mi");
        Require(options.TmpSizeLimit.Bytes >= 1 << 20, "EXECUTOR_TMP_SIZE_LIMIT", "must be at least 1Mi");
        Require(options.MemoryLimit.Bytes >= 64L << 20, "EXECUTOR_MEMORY_LIMIT", "must be at least 64Mi");
        Require(options.CpuLimit is > 0 and <= 1024, "EXECUTOR_CPU_LIMIT", "must be a number of cores above 0");
        Require(options.PidsLimit >= 16, "EXECUTOR_PIDS_LIMIT", "must be at least 16");
        Require(options.DockerHost.StartsWith("unix://", StringComparison.Ordinal)
            || options.DockerHost.StartsWith("http://", StringComparison.Ordinal)
            || options.DockerHost.StartsWith("tcp://", StringComparison.Ordinal),
            "DOCKER_HOST", "must start with unix://, tcp:// or http://");
        // sun_path holds 108 bytes; leave room for "/<name>/agent.sock".
        Require(Path.IsPathRooted(options.SocketDirectory) && options.SocketDirectory.Length <= 48, "EXECUTOR_SOCKET_DIR",
            "must be an absolute path of at most 48 characters (unix socket paths are short)");
        Require(InstanceNamePattern().IsMatch(options.InstanceName), "INSTANCE_NAME",
            "must be 1-63 letters, digits, '-', '_' or '.'");

        Require(options.Backend != "kubernetes" || LabelValuePattern().IsMatch(options.InstanceName), "INSTANCE_NAME",
            "must start and end with a letter or digit on Kubernetes (it is a label value)");
        Require(options.AgentPort is >= 1 and <= 65535, "EXECUTOR_AGENT_PORT", "must be a TCP port (1-65535)");
        Require(options.ImagePullPolicy is "Always" or "IfNotPresent" or "Never", "EXECUTOR_IMAGE_PULL_POLICY",
            "must be 'Always', 'IfNotPresent' or 'Never'");
        Require(options.KubernetesNamespace.Length == 0 || NamespacePattern().IsMatch(options.KubernetesNamespace),
            "KUBERNETES_NAMESPACE", "must be empty or a namespace name (1-63 lowercase letters, digits or '-')");

        foreach (var parse in new Action[] { () => SandboxResources.Parse(options.ContainerResources), () => PodSpecExtra.Parse(options.PodSpecExtra) })
        {
            try
            {
                parse();
            }
            catch (FormatException e)
            {
                errors.Add(e.Message);
            }
        }

        try
        {
            var (first, last) = SandboxUidAllocator.Parse(options.SandboxUids);
            Require((long)last - first + 1 >= options.MaxSandboxes, "EXECUTOR_SANDBOX_UIDS",
                "must hold at least APP_EXECUTOR_MAX_SANDBOXES uids (one per live sandbox)");
            // The agent refuses connections from its own uid (the code's): the service must never have one of these.
            Require(ServiceUid() is not { } own || own < first || own > last, "EXECUTOR_SANDBOX_UIDS",
                "must not contain the uid this service runs as");
        }
        catch (FormatException e)
        {
            errors.Add(e.Message);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static long? ServiceUid()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var real = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            return long.TryParse(real, System.Globalization.CultureInfo.InvariantCulture, out var uid) ? uid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,39}\z")]
    private static partial Regex NamePrefixPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?\z")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z")]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,63}\z")]
    private static partial Regex InstanceNamePattern();
}
