using Interpreter.Api.Features;
using Shouldly;

namespace Interpreter.Api.Tests;

/// <summary>
/// .NET's <c>$</c> also matches before a final "\n": every request pattern must end at the true end of the value,
/// so "alice\n" is no chat of its own and "&lt;hash&gt;\n" never reaches the storage layout.
/// </summary>
public sealed class PatternEndTests
{
    public static TheoryData<string> LineBreaks => ["\n", "\r\n", "\r", "\u2028", "\u0085"];

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void ChatId_Refuses_WhenALineBreakEndsIt(string end)
    {
        RequestRules.ChatId().IsMatch("alice").ShouldBeTrue();

        RequestRules.ChatId().IsMatch("alice" + end).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void Sha256Hex_Refuses_WhenALineBreakEndsIt(string end)
    {
        var hash = new string('a', 64);
        RequestRules.Sha256Hex().IsMatch(hash).ShouldBeTrue();

        RequestRules.Sha256Hex().IsMatch(hash + end).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void EnvName_Refuses_WhenALineBreakEndsIt(string end)
    {
        RequestRules.EnvName().IsMatch("PATH_2").ShouldBeTrue();

        RequestRules.EnvName().IsMatch("PATH_2" + end).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void IsUploadFilename_Refuses_WhenALineBreakEndsIt(string end)
    {
        RequestRules.IsUploadFilename("report.csv").ShouldBeTrue();

        RequestRules.IsUploadFilename("report.csv" + end).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void RequestId_IsReplaced_WhenALineBreakEndsIt(string end)
    {
        Interpreter.Api.Operations.RequestContextMiddleware.IsClientRequestId("abc-123").ShouldBeTrue();

        Interpreter.Api.Operations.RequestContextMiddleware.IsClientRequestId("abc-123" + end).ShouldBeFalse();
    }
}
