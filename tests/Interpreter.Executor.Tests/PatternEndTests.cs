using Interpreter.Executor.Configuration;
using Interpreter.Executor.CustomTools.Schema;
using Shouldly;

namespace Interpreter.Executor.Tests;

/// <summary>.NET's <c>$</c> also matches before a final "\n": every pattern of the executor ends at the true end.</summary>
public sealed class PatternEndTests
{
    private readonly ExecutorOptionsValidator _validator = new();

    public static TheoryData<string> LineBreaks => ["\n", "\r\n", "\r", "\u2028", "\u0085"];

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void ByteSize_TrimsTheSettingButRefusesALineBreakInside_WhenParsed(string end)
    {
        // A setting's surrounding white space (an env file's line end) is trimmed on purpose; the pattern sees the rest.
        ByteSize.TryParse("512Mi" + end, out var trimmed).ShouldBeTrue();

        trimmed.Bytes.ShouldBe(512L << 20);
        ByteSize.TryParse("512" + end + "Mi", out _).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void NamePrefix_IsRefused_WhenALineBreakEndsIt(string end)
    {
        var result = _validator.Validate(null, new ExecutorOptions { NamePrefix = "sandbox" + end });

        result.Failed.ShouldBeTrue();
        (result.FailureMessage ?? "").ShouldContain("APP_EXECUTOR_POD_NAME_PREFIX");
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void InstanceName_IsRefused_WhenALineBreakEndsIt(string end)
    {
        var docker = _validator.Validate(null, new ExecutorOptions { InstanceName = "api-1" + end });
        var kubernetes = _validator.Validate(null, new ExecutorOptions { Backend = "kubernetes", InstanceName = "api-1" + end });

        (docker.FailureMessage ?? "").ShouldContain("APP_INSTANCE_NAME");
        (kubernetes.FailureMessage ?? "").ShouldContain("APP_INSTANCE_NAME");
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void KubernetesNamespace_IsRefused_WhenALineBreakEndsIt(string end)
    {
        var result = _validator.Validate(null, new ExecutorOptions { KubernetesNamespace = "sandboxes" + end });

        (result.FailureMessage ?? "").ShouldContain("APP_KUBERNETES_NAMESPACE");
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void IsoFormats_Refuse_WhenALineBreakEndsThem(string end)
    {
        IsoFormats.IsDate("2024-02-29").ShouldBeTrue();
        IsoFormats.IsTime("12:30:00").ShouldBeTrue();
        IsoFormats.IsDuration("P1D").ShouldBeTrue();

        IsoFormats.IsDate("2024-02-29" + end).ShouldBeFalse();
        IsoFormats.IsTime("12:30:00" + end).ShouldBeFalse();
        IsoFormats.IsDuration("P1D" + end).ShouldBeFalse();
        IsoFormats.IsDateTime("2024-02-29T12:30:00Z" + end).ShouldBeFalse();
    }
}
