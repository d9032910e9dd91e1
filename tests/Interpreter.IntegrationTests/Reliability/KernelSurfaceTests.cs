using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// What the adversarial reviews tried against the kernel and the agent and found closed, kept as tests so it stays
/// closed: the syscalls that open new namespaces, mounts, keyrings, BPF, perf and userfaultfd are refused; the code
/// holds no capability and cannot gain one; the agent's memory and descriptors cannot be reached (ptrace,
/// /proc/1/mem, process_vm_readv, pidfd_getfd). The syscall numbers are x86_64's, the machine these tests run on.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class KernelSurfaceTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_RefusesEverySyscallTheReviewsTried_WhenCodeCallsThemDirectly()
    {
        const string code = """
            import ctypes, errno, os, platform
            assert platform.machine() == "x86_64", platform.machine()
            libc = ctypes.CDLL(None, use_errno=True)
            def call(number, *args):
                ctypes.set_errno(0)
                result = libc.syscall(number, *[ctypes.c_long(a) for a in args])
                return "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
            CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
            checks = {
                "unshare(user)": call(272, CLONE_NEWUSER),
                "unshare(mount)": call(272, CLONE_NEWNS),
                "unshare(net)": call(272, CLONE_NEWNET),
                "mount": call(165, 0, 0, 0, 0, 0),
                "setns": call(308, os.open("/proc/self/ns/net", os.O_RDONLY), 0),
                "keyctl": call(250, 0, 0, 0, 0, 0),
                "add_key": call(248, 0, 0, 0, 0, 0),
                "bpf": call(321, 0, 0, 0),
                "perf_event_open": call(298, 0, 0, -1, -1, 0),
                "userfaultfd": call(323, 0),
                "kexec_load": call(246, 0, 0, 0, 0),
                "init_module": call(175, 0, 0, 0),
                "pivot_root": call(155, 0, 0),
                "chroot": call(161, 0),
            }
            for name, outcome in checks.items():
                print(name, outcome)
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var outcomes = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
        outcomes.Count.ShouldBe(14, result.Stdout);
        foreach (var (name, outcome) in outcomes)
        {
            // Refused by seccomp (EPERM, or ENOSYS for calls the profile does not know) or for want of a capability.
            outcome.ShouldBeOneOf(["EPERM", "ENOSYS", "EACCES", "EFAULT"], $"{name}: {result.Stdout}");
        }

        // EFAULT would mean the kernel got as far as reading the arguments: only acceptable where no privilege check
        // comes first, never for the namespace and mount calls.
        new[] { "unshare(user)", "unshare(mount)", "unshare(net)", "mount", "setns", "bpf", "userfaultfd" }
            .ShouldAllBe(name => outcomes[name] == "EPERM" || outcomes[name] == "ENOSYS", result.Stdout);
    }

    [Fact]
    public async Task Execute_HoldsNoCapabilityAndCannotGainOne_WhenCodeReadsItsStatus()
    {
        const string code = """
            fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
            for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"):
                print(name, fields[name].strip())
            import os
            print("uid", os.getuid(), os.geteuid())
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Take(5).ShouldAllBe(line => line.EndsWith(" 0000000000000000", StringComparison.Ordinal), result.Stdout);
        lines.ShouldContain("NoNewPrivs 1");
        lines.ShouldContain("Seccomp 2");
        lines.Single(l => l.StartsWith("uid ", StringComparison.Ordinal)).ShouldNotStartWith("uid 0");
    }

    [Fact]
    public async Task Execute_CannotReachTheAgentsMemoryOrDescriptors_WhenCodeTriesEveryWay()
    {
        const string code = """
            import ctypes, errno, os
            libc = ctypes.CDLL(None, use_errno=True)
            def err():
                return errno.errorcode.get(ctypes.get_errno(), "?")
            ctypes.set_errno(0)
            print("ptrace_attach", "ok" if libc.ptrace(16, 1, 0, 0) == 0 else err())
            ctypes.set_errno(0)
            print("ptrace_seize", "ok" if libc.ptrace(0x4206, 1, 0, 0) == 0 else err())
            for path in ("/proc/1/mem", "/proc/1/environ", "/proc/1/maps", "/proc/1/fd/0"):
                try:
                    with open(path, "rb") as f:
                        f.read(1)
                    print(path, "ok")
                except OSError as e:
                    print(path, errno.errorcode.get(e.errno, "?"))
            try:
                print("/proc/1/fd", "ok", len(os.listdir("/proc/1/fd")))
            except OSError as e:
                print("/proc/1/fd", errno.errorcode.get(e.errno, "?"))
            class iovec(ctypes.Structure):
                _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
            buf = ctypes.create_string_buffer(64)
            local = iovec(ctypes.cast(buf, ctypes.c_void_p), 64)
            remote = iovec(0x400000, 64)
            ctypes.set_errno(0)
            got = libc.syscall(310, ctypes.c_long(1), ctypes.byref(local), ctypes.c_ulong(1), ctypes.byref(remote), ctypes.c_ulong(1), ctypes.c_ulong(0))
            print("process_vm_readv", "ok" if got >= 0 else err())
            try:
                pidfd = os.pidfd_open(1)
                ctypes.set_errno(0)
                fd = libc.syscall(438, ctypes.c_long(pidfd), ctypes.c_long(0), ctypes.c_long(0))
                print("pidfd_getfd", "ok" if fd >= 0 else err())
            except OSError as e:
                print("pidfd_getfd", errno.errorcode.get(e.errno, "?"))
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct);

        result.ExitCode.ShouldBe(0, result.Stderr);
        var outcomes = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1]);
        outcomes.Count.ShouldBe(9, result.Stdout);
        outcomes.ShouldAllBe(pair => pair.Value != "ok", result.Stdout);
        outcomes["ptrace_attach"].ShouldBe("EPERM", result.Stdout);
        outcomes["process_vm_readv"].ShouldBe("EPERM", result.Stdout);
        outcomes["pidfd_getfd"].ShouldBeOneOf(["EPERM", "ENOSYS"], result.Stdout);
        outcomes["/proc/1/mem"].ShouldBe("EACCES", result.Stdout);
        outcomes["/proc/1/environ"].ShouldBe("EACCES", result.Stdout);
    }
}
