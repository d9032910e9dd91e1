using Interpreter.Executor.Configuration;
using Shouldly;

namespace Interpreter.Executor.Tests;

public sealed class SandboxResourcesTests
{
    [Fact]
    public void Parse_ReadsLimitsAndRequests_WhenKubernetesResourcesGiven()
    {
        var resources = SandboxResources.Parse("""{"limits":{"cpu":"1500m","memory":"1Gi"},"requests":{"cpu":0.25,"memory":"256Mi"}}""");

        resources.ShouldBe(new SandboxResources(1.5, 1L << 30, 0.25, 256L << 20));
    }

    [Fact]
    public void Parse_ReturnsNone_WhenEmpty()
    {
        SandboxResources.Parse("").ShouldBe(SandboxResources.None);
    }

    [Theory]
    [InlineData("""{"limits":{"cpu":"lots"}}""", "limits.cpu 'lots'")]
    [InlineData("""{"requests":{"memory":"-1"}}""", "requests.memory '-1'")]
    [InlineData("""{"limits":"1"}""", "'limits' must be an object")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{bad json""", "not valid JSON")]
    public void Parse_ThrowsNamingVariableAndField_WhenInvalid(string json, string mention)
    {
        var error = Should.Throw<FormatException>(() => SandboxResources.Parse(json));

        error.Message.ShouldContain("APP_EXECUTOR_CONTAINER_RESOURCES");
        error.Message.ShouldContain(mention);
    }

    [Theory]
    [InlineData("""{"runtimeClassName":"runsc"}""", "runsc")]
    [InlineData("""{"nodeSelector":{"a":"b"}}""", null)]
    [InlineData("", null)]
    public void RuntimeClassName_IsRead_WhenPodSpecExtraGiven(string json, string? runtime)
    {
        PodSpecExtra.RuntimeClassName(PodSpecExtra.Parse(json)).ShouldBe(runtime);
    }

    [Fact]
    public void PodSpecExtra_Throws_WhenNotAnObject()
    {
        Should.Throw<FormatException>(() => PodSpecExtra.Parse("[1]")).Message.ShouldContain("APP_EXECUTOR_POD_SPEC_EXTRA");
    }
}
