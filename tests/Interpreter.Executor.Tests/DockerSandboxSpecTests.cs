using Interpreter.Executor.Configuration;
using Interpreter.Executor.Docker;
using Interpreter.Executor.Pool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Executor.Tests;

/// <summary>The container spec sent to the engine carries every hardening flag SANDBOX.md lists.</summary>
public sealed class DockerSandboxSpecTests
{
    [Fact]
    public void BuildSpec_HardensContainer_WhenOptionsSet()
    {
        var options = new ExecutorOptions
        {
            Image = "img:1",
            MemoryLimit = ByteSize.Parse("512Mi"),
            WorkspaceSizeLimit = ByteSize.Parse("64Mi"),
            CpuLimit = 0.5,
            PidsLimit = 100,
            InstanceName = "unit",
        };
        using var engine = new DockerEngine("unix:///nonexistent.sock");
        var run = new SandboxRun();
        var backend = new DockerSandboxBackend(engine, run, Options.Create(options), NullLogger<DockerSandboxBackend>.Instance);

        var spec = backend.BuildSpec("/sockets/code-executor-abc", 2000000007);

        spec.Image.ShouldBe("img:1");
        spec.User.ShouldBe("2000000007:2000000007");
        spec.NetworkDisabled.ShouldBe(true);
        spec.HostConfig.ShouldNotBeNull().NetworkMode.ShouldBe("none");
        spec.HostConfig.CapDrop.ShouldBe(["ALL"]);
        spec.HostConfig.SecurityOpt.ShouldBe(["no-new-privileges"]);
        spec.HostConfig.ReadonlyRootfs.ShouldBeTrue();
        spec.HostConfig.PidsLimit.ShouldBe(100);
        spec.HostConfig.Memory.ShouldBe(512L << 20);
        spec.HostConfig.MemorySwap.ShouldBe(512L << 20);
        spec.HostConfig.NanoCPUs.ShouldBe(500_000_000);
        spec.HostConfig.Tmpfs!["/workspace"].ShouldContain($"size={64L << 20}");
        spec.HostConfig.Tmpfs["/workspace"].ShouldContain(",uid=2000000007,gid=2000000007,");
        // A MaskedPaths list replaces the engine's: Docker 20.10's defaults must all be in it.
        spec.HostConfig.MaskedPaths.ShouldNotBeNull().ShouldBe(
        [
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/proc/cmdline", "/proc/modules", "/proc/kallsyms",
        ]);
        spec.HostConfig.Tmpfs.Keys.ShouldContain("/tmp");
        spec.HostConfig.Binds.ShouldBe(["/sockets/code-executor-abc:/run/agent:rw"]);
        spec.Labels![SandboxLabels.Instance].ShouldBe("unit");
        spec.Labels[SandboxLabels.Run].ShouldBe(run.Id);
        spec.Labels[SandboxLabels.Role].ShouldBe(SandboxLabels.ExecutorRole);
        spec.Env!.ShouldContain("AGENT_SOCKET=/run/agent/agent.sock");
        // The token travels as a file in the socket folder, never in the container's environment.
        spec.Env!.ShouldContain("AGENT_TOKEN_FILE=/run/agent/token");
        spec.Env!.ShouldNotContain(e => e.StartsWith("AGENT_TOKEN=", StringComparison.Ordinal));
        spec.HostConfig.Runtime.ShouldBeNull();
    }

    [Fact]
    public void BuildSpec_AppliesContainerResourcesAndRuntime_WhenConfigured()
    {
        var options = new ExecutorOptions
        {
            ContainerResources = """{"limits":{"cpu":"2","memory":"768Mi"},"requests":{"cpu":"500m","memory":"128Mi"}}""",
            PodSpecExtra = """{"runtimeClassName":"runsc"}""",
        };
        using var engine = new DockerEngine("unix:///nonexistent.sock");
        var backend = new DockerSandboxBackend(engine, new SandboxRun(), Options.Create(options), NullLogger<DockerSandboxBackend>.Instance);

        var spec = backend.BuildSpec("/sockets/x", 2000000000);

        spec.HostConfig.ShouldNotBeNull().NanoCPUs.ShouldBe(2_000_000_000);
        spec.HostConfig.Memory.ShouldBe(768L << 20);
        spec.HostConfig.MemorySwap.ShouldBe(768L << 20);
        spec.HostConfig.CPUShares.ShouldBe(512);
        spec.HostConfig.MemoryReservation.ShouldBe(128L << 20);
        spec.HostConfig.Runtime.ShouldBe("runsc");
    }
}
