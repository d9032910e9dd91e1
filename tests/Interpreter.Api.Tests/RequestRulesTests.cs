using Interpreter.Api.Features;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class RequestRulesTests
{
    [Theory]
    [InlineData("/workspace/a.csv", true)]
    [InlineData("/workspace/sub/dir/b.txt", true)]
    [InlineData("/workspace/.hidden", true)]
    [InlineData("/workspace/", false)]
    [InlineData("/workspace", false)]
    [InlineData("/workspace/../etc/passwd", false)]
    [InlineData("/workspace/a/../../x", false)]
    [InlineData("/workspace/./a", false)]
    [InlineData("/workspace//a", false)]
    [InlineData("/workspace/a/", false)]
    [InlineData("workspace/a", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("/workspacex/a", false)]
    [InlineData("/workspace/a\0b", false)]
    [InlineData("", false)]
    public void IsWorkspacePath_AcceptsOnlyNormalisedPathsUnderWorkspace_WhenChecked(string path, bool expected)
    {
        RequestRules.IsWorkspacePath(path).ShouldBe(expected);
    }

    [Fact]
    public void IsWorkspacePath_Refuses_WhenLongerThan4096Bytes()
    {
        RequestRules.IsWorkspacePath("/workspace/" + new string('a', 4086)).ShouldBeFalse();
        RequestRules.IsWorkspacePath("/workspace/" + new string('a', 4085)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("chat-1_A", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("../x", false)]
    public void ChatId_MatchesApiPattern_WhenChecked(string chatId, bool expected)
    {
        RequestRules.ChatId().IsMatch(chatId).ShouldBe(expected);
    }

    [Fact]
    public void ChatId_Refuses_WhenLongerThan255()
    {
        RequestRules.ChatId().IsMatch(new string('a', 255)).ShouldBeTrue();
        RequestRules.ChatId().IsMatch(new string('a', 256)).ShouldBeFalse();
    }
}
