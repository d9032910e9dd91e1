using Interpreter.Executor.Configuration;
using Shouldly;

namespace Interpreter.Executor.Tests;

public sealed class ExecutorOptionsValidatorTests
{
    private readonly ExecutorOptionsValidator _validator = new();

    [Fact]
    public void Validate_Succeeds_WhenDefaults()
    {
        var result = _validator.Validate(null, new ExecutorOptions());

        result.Succeeded.ShouldBeTrue(result.FailureMessage);
    }

    public static TheoryData<string, Action<ExecutorOptions>> BadSettings => new()
    {
        { "APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH", o => o.PoolTargetLength = -1 },
        { "APP_EXECUTOR_MAX_SANDBOXES", o => { o.PoolTargetLength = 10; o.MaxSandboxes = 5; } },
        { "APP_EXECUTOR_REFILL_CONCURRENCY", o => o.RefillConcurrency = 0 },
        { "APP_EXECUTOR_POD_NAME_PREFIX", o => o.NamePrefix = "Bad_Prefix" },
        { "APP_EXECUTOR_ACQUIRE_TIMEOUT", o => o.AcquireTimeoutSeconds = 0 },
        { "APP_EXECUTION_TIMEOUT", o => o.DefaultTimeoutSeconds = 700 },
        { "APP_MAX_OUTPUT_BYTES", o => o.MaxOutputBytes = 10 },
        { "APP_WORKSPACE_SIZE_LIMIT", o => o.WorkspaceSizeLimit = new ByteSize(1000) },
        { "APP_EXECUTOR_MEMORY_LIMIT", o => o.MemoryLimit = new ByteSize(1 << 20) },
        { "APP_EXECUTOR_CPU_LIMIT", o => o.CpuLimit = 0 },
        { "APP_EXECUTOR_PIDS_LIMIT", o => o.PidsLimit = 2 },
        { "APP_DOCKER_HOST", o => o.DockerHost = "/var/run/docker.sock" },
        { "APP_EXECUTOR_SOCKET_DIR", o => o.SocketDirectory = "relative/dir" },
        { "APP_INSTANCE_NAME", o => o.InstanceName = "has space" },
        { "APP_EXECUTOR_BACKEND", o => o.Backend = "podman" },
        { "APP_EXECUTOR_AGENT_PORT", o => o.AgentPort = 70000 },
        { "APP_EXECUTOR_IMAGE_PULL_POLICY", o => o.ImagePullPolicy = "never" },
        { "APP_KUBERNETES_NAMESPACE", o => o.KubernetesNamespace = "Not_A_Namespace" },
        { "APP_INSTANCE_NAME", o => { o.Backend = "kubernetes"; o.InstanceName = "ends-with-dash-"; } },
        { "APP_EXECUTOR_SANDBOX_UIDS", o => o.SandboxUids = "1000" },
        { "APP_EXECUTOR_SANDBOX_UIDS", o => o.SandboxUids = "5000-4000" },
        { "APP_EXECUTOR_SANDBOX_UIDS", o => o.SandboxUids = "0-100" },
        { "APP_EXECUTOR_SANDBOX_UIDS", o => o.SandboxUids = "2000000000-9999999999" },
        { "APP_EXECUTOR_SANDBOX_UIDS", o => { o.MaxSandboxes = 24; o.SandboxUids = "5000-5009"; } },
    };

    [Fact]
    public void Validate_Succeeds_WhenKubernetesBackendChosen()
    {
        var options = new ExecutorOptions { Backend = "kubernetes", KubernetesNamespace = "sandboxes", ImagePullPolicy = "Never", AgentPort = 8080 };

        var result = _validator.Validate(null, options);

        result.Succeeded.ShouldBeTrue(result.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_FailsNamingVariable_WhenSettingInvalid(string variable, Action<ExecutorOptions> breakIt)
    {
        var options = new ExecutorOptions();
        breakIt(options);

        var result = _validator.Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(variable);
    }
}
