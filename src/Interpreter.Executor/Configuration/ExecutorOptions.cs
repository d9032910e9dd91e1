using Microsoft.Extensions.Configuration;

namespace Interpreter.Executor.Configuration;

/// <summary>
/// Sandbox, pool and execution settings. Bound from <c>APP_*</c> environment variables, which the API maps
/// into the <see cref="Section"/> section with the prefix removed (APP_EXECUTOR_IMAGE -> App:EXECUTOR_IMAGE).
/// </summary>
public sealed class ExecutorOptions
{
    /// <summary>The configuration section every <c>APP_</c> variable lands in.</summary>
    public const string Section = "App";

    /// <summary>Sandbox backend: <c>docker</c> (one machine) or <c>kubernetes</c> (pods in a cluster).</summary>
    [ConfigurationKeyName("EXECUTOR_BACKEND")]
    public string Backend { get; set; } = "docker";

    /// <summary>Image every sandbox is created from.</summary>
    [ConfigurationKeyName("EXECUTOR_IMAGE")]
    public string Image { get; set; } = "localhost/tgpt-code-executor:local";

    /// <summary>How many started, idle sandboxes the pool keeps ready.</summary>
    [ConfigurationKeyName("EXECUTOR_POD_QUEUE_TARGET_LENGTH")]
    public int PoolTargetLength { get; set; } = 5;

    /// <summary>Prefix of sandbox (container or pod) names.</summary>
    [ConfigurationKeyName("EXECUTOR_POD_NAME_PREFIX")]
    public string NamePrefix { get; set; } = "code-executor-";

    /// <summary>Hard cap on live sandboxes: ready, starting, in use and being removed together.</summary>
    [ConfigurationKeyName("EXECUTOR_MAX_SANDBOXES")]
    public int MaxSandboxes { get; set; } = 24;

    /// <summary>How many sandboxes may be starting at once (the engine starts ~10/s on 2 cores at ~4 in flight).</summary>
    [ConfigurationKeyName("EXECUTOR_REFILL_CONCURRENCY")]
    public int RefillConcurrency { get; set; } = 4;

    /// <summary>A ready sandbox idle longer than this is replaced by a fresh one.</summary>
    [ConfigurationKeyName("EXECUTOR_MAX_IDLE_SECONDS")]
    public int MaxIdleSeconds { get; set; } = 900;

    /// <summary>How long a request waits for a ready sandbox before it gets 503.</summary>
    [ConfigurationKeyName("EXECUTOR_ACQUIRE_TIMEOUT")]
    public double AcquireTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a new sandbox may take until its agent answers.</summary>
    [ConfigurationKeyName("EXECUTOR_STARTUP_TIMEOUT")]
    public double StartupTimeoutSeconds { get; set; } = 60;

    /// <summary>Timeout of an execution that names none.</summary>
    [ConfigurationKeyName("EXECUTION_TIMEOUT")]
    public int DefaultTimeoutSeconds { get; set; } = 60;

    /// <summary>Largest timeout_seconds a request may ask for.</summary>
    [ConfigurationKeyName("EXECUTION_TIMEOUT_MAX")]
    public int MaxTimeoutSeconds { get; set; } = 600;

    /// <summary>Cap on each of stdout and stderr; the rest is dropped and the truncation marked.</summary>
    [ConfigurationKeyName("MAX_OUTPUT_BYTES")]
    public int MaxOutputBytes { get; set; } = 1 << 20;

    /// <summary>Size of the sandbox's /workspace (a tmpfs on Docker, so it counts against the memory limit).</summary>
    [ConfigurationKeyName("WORKSPACE_SIZE_LIMIT")]
    public ByteSize WorkspaceSizeLimit { get; set; } = new(1L << 30);

    /// <summary>Size of the sandbox's /tmp (a tmpfs, counted against the memory limit).</summary>
    [ConfigurationKeyName("EXECUTOR_TMP_SIZE_LIMIT")]
    public ByteSize TmpSizeLimit { get; set; } = new(256L << 20);

    /// <summary>Memory limit of one sandbox, tmpfs contents included; no swap.</summary>
    [ConfigurationKeyName("EXECUTOR_MEMORY_LIMIT")]
    public ByteSize MemoryLimit { get; set; } = new(2L << 30);

    /// <summary>CPU limit of one sandbox, in cores.</summary>
    [ConfigurationKeyName("EXECUTOR_CPU_LIMIT")]
    public double CpuLimit { get; set; } = 1.0;

    /// <summary>Most processes and threads one sandbox may have.</summary>
    [ConfigurationKeyName("EXECUTOR_PIDS_LIMIT")]
    public int PidsLimit { get; set; } = 256;

    /// <summary>Docker engine address: <c>unix:///path</c> or <c>http://host:port</c>.</summary>
    [ConfigurationKeyName("DOCKER_HOST")]
    public string DockerHost { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Host folder under which each Docker sandbox gets the folder holding its agent's socket.</summary>
    [ConfigurationKeyName("EXECUTOR_SOCKET_DIR")]
    public string SocketDirectory { get; set; } = "/tmp/computesandbox/agents";

    /// <summary>
    /// Name of this service instance. Sandboxes carry it as a label; at start-up sandboxes with the same name
    /// that no live process owns are removed, so two instances on one engine need different names.
    /// </summary>
    [ConfigurationKeyName("INSTANCE_NAME")]
    public string InstanceName { get; set; } = "default";

    /// <summary>
    /// Kubernetes container resources as JSON (<c>{"limits":{"cpu":"1","memory":"1Gi"},"requests":{...}}</c>).
    /// On Docker: limits set the CPU and memory limits (over APP_EXECUTOR_CPU_LIMIT / APP_EXECUTOR_MEMORY_LIMIT),
    /// requests set CPU shares and the memory reservation.
    /// </summary>
    [ConfigurationKeyName("EXECUTOR_CONTAINER_RESOURCES")]
    public string ContainerResources { get; set; } = "";

    /// <summary>
    /// Extra pod spec fields as a JSON object (e.g. <c>{"runtimeClassName":"gvisor"}</c>). On Docker,
    /// <c>runtimeClassName</c> selects the container runtime; other fields only apply to pods.
    /// </summary>
    [ConfigurationKeyName("EXECUTOR_POD_SPEC_EXTRA")]
    public string PodSpecExtra { get; set; } = "";

    /// <summary>
    /// Namespace of the sandbox pods. Empty: in-cluster the service account's namespace, with a kubeconfig the
    /// current context's namespace, otherwise <c>default</c>.
    /// </summary>
    [ConfigurationKeyName("KUBERNETES_NAMESPACE")]
    public string KubernetesNamespace { get; set; } = "";

    /// <summary>
    /// Kubeconfig file. Empty: the in-cluster service account when running in a pod, else the first path of
    /// <c>KUBECONFIG</c>, else <c>~/.kube/config</c>.
    /// </summary>
    [ConfigurationKeyName("KUBECONFIG")]
    public string Kubeconfig { get; set; } = "";

    /// <summary>TCP port the agent listens on inside a pod (reached on the pod IP).</summary>
    [ConfigurationKeyName("EXECUTOR_AGENT_PORT")]
    public int AgentPort { get; set; } = 8000;

    /// <summary>Image pull policy of sandbox pods: <c>Always</c>, <c>IfNotPresent</c> or <c>Never</c>.</summary>
    [ConfigurationKeyName("EXECUTOR_IMAGE_PULL_POLICY")]
    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>
    /// Host uids for sandboxes, <c>first-last</c>: each live sandbox runs under one of its own, so sandboxes share
    /// no per-uid kernel limit. Instances sharing one engine (or node) need disjoint ranges.
    /// </summary>
    [ConfigurationKeyName("EXECUTOR_SANDBOX_UIDS")]
    public string SandboxUids { get; set; } = Pool.SandboxUidAllocator.DefaultRange;

    internal TimeSpan AcquireTimeout => TimeSpan.FromSeconds(AcquireTimeoutSeconds);

    internal TimeSpan StartupTimeout => TimeSpan.FromSeconds(StartupTimeoutSeconds);

    internal TimeSpan MaxIdle => TimeSpan.FromSeconds(MaxIdleSeconds);
}
