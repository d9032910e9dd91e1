namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>The executor image the tests run; scripts/test.sh exports the one it built.</summary>
internal static class TestImage
{
    public static string Name =>
        Environment.GetEnvironmentVariable("COMPUTESANDBOX_TEST_IMAGE") is { Length: > 0 } image
            ? image
            : "localhost/tgpt-code-executor:local";
}
