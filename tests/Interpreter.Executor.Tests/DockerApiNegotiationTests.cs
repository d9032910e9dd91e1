using Interpreter.Executor.Docker;
using Shouldly;

namespace Interpreter.Executor.Tests;

/// <summary>The API version Docker.DotNet is pinned to: the engine's, capped at the newest the client knows (1.54).</summary>
public sealed class DockerApiNegotiationTests
{
    [Theory]
    [InlineData("1.41", "1.41")]
    [InlineData("1.43", "1.43")]
    [InlineData("1.54", "1.54")]
    [InlineData("1.60", "1.54")]
    public void Negotiate_UsesOlderOfEngineAndClient_WhenEngineSupported(string engine, string expected)
    {
        DockerEngine.Negotiate(engine).ToString(2).ShouldBe(expected);
    }

    [Fact]
    public void Negotiate_Throws_WhenEngineTooOld()
    {
        var error = Should.Throw<NotSupportedException>(() => DockerEngine.Negotiate("1.30"));

        error.Message.ShouldContain("upgrade Docker");
    }
}
