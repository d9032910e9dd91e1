using Interpreter.Executor.Pool;
using Shouldly;

namespace Interpreter.Executor.Tests;

/// <summary>Every live sandbox has a uid of its own; a uid comes back only when its sandbox is gone.</summary>
public sealed class SandboxUidAllocatorTests
{
    [Fact]
    public void Rent_NeverHandsOutALiveUid_WhenSandboxesComeAndGo()
    {
        var uids = new SandboxUidAllocator(100, 103);

        var a = uids.Rent("a");
        var b = uids.Rent("b");
        uids.Return("a");
        var c = uids.Rent("c");
        var d = uids.Rent("d");
        var e = uids.Rent("e");

        new[] { a, b, c, d, e }.ShouldBe([100, 101, 102, 103, 100]);
        new[] { b, c, d, e }.Distinct().Count().ShouldBe(4);
        uids.InUse.ShouldBe(4);
    }

    [Fact]
    public void Rent_FailsNamingTheVariable_WhenEveryUidBelongsToALiveSandbox()
    {
        var uids = new SandboxUidAllocator(7, 8);
        uids.Rent("a");
        uids.Rent("b");

        var refused = Should.Throw<SandboxStartException>(() => uids.Rent("c"));

        refused.Message.ShouldContain("APP_EXECUTOR_SANDBOX_UIDS (7-8)");
        uids.InUse.ShouldBe(2);
    }

    [Fact]
    public void Rent_ReturnsTheSameUid_WhenTheSameSandboxAsksTwice()
    {
        var uids = new SandboxUidAllocator(1, 10);

        var first = uids.Rent("a");
        var again = uids.Rent("a");

        again.ShouldBe(first);
        uids.InUse.ShouldBe(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1000")]
    [InlineData("0-10")]
    [InlineData("10-5")]
    [InlineData("-5-10")]
    [InlineData("1-2147483648")]
    public void Parse_FailsNamingTheVariable_WhenRangeInvalid(string text)
    {
        var refused = Should.Throw<FormatException>(() => SandboxUidAllocator.Parse(text));

        refused.Message.ShouldStartWith("APP_EXECUTOR_SANDBOX_UIDS");
    }

    [Fact]
    public void Parse_ReadsBothEnds_WhenRangeValid()
    {
        var (first, last) = SandboxUidAllocator.Parse(" 2000000000 - 2000065535 ");

        (first, last).ShouldBe((2000000000, 2000065535));
    }
}
