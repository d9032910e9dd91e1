using Interpreter.Executor.Docker;
using Shouldly;

namespace Interpreter.Executor.Tests;

public sealed class DockerApiNegotiationTests
{
    [Theory]
    [InlineData("1.41", "1.41")]
    [InlineData("1.43", "1.43")]
    [InlineData("1.47", "1.45")]
    [InlineData("1.51", "1.45")]
    public void Negotiate_UsesOlderOfEngineAndClient_WhenEngineSupported(string engine, string expected)
    {
        DockerEngineClient.Negotiate(engine).ShouldBe(expected);
    }

    [Fact]
    public void Negotiate_Throws_WhenEngineTooOld()
    {
        var error = Should.Throw<DockerEngineException>(() => DockerEngineClient.Negotiate("1.30"));

        error.Message.ShouldContain("upgrade Docker");
    }
}
