using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Configuration;

/// <summary>The real API process refuses to start on a bad setting and names the variable.</summary>
public sealed class StartupConfigurationTests
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "APP_WORKSPACE_SIZE_LIMIT", "lots" },
        { "APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH", "-1" },
        { "APP_EXECUTOR_MAX_SANDBOXES", "many" },
        { "APP_REQUIRE_CHAT_ID", "maybe" },
        { "APP_INTERNAL_IP_ALLOWLIST", "10.0.0.0/8,10.0.0.300" },
        { "APP_INTERNAL_HOST_ALLOWLIST", "[\"ok.host\", \"bad host\"]" },
        { "APP_TRUSTED_PROXIES", "[\"not-an-ip\"]" },
        { "APP_ALLOWED_ORIGINS", "https://ok.example,https://bad.example/path" },
        { "APP_CHAT_STORAGE_QUOTA_BYTES", "-1" },
        { "APP_CHAT_FILE_LIMIT", "lots" },
        { "APP_STORAGE_QUOTA_BYTES", "-5" },
        { "APP_EXECUTOR_CONTAINER_RESOURCES", "{\"limits\":{\"cpu\":\"lots\"}}" },
        { "APP_EXECUTOR_POD_SPEC_EXTRA", "[1, 2]" },
        { "APP_GRPC_ENABLED", "maybe" },
        { "APP_GRPC_TLS_CERT", "/nonexistent/cert.pem" },
        { "APP_GRPC_TLS_CA_CERT", "/nonexistent/ca.pem" },
        { "APP_GRPC_LISTEN_ADDR", "nowhere" },
        { "APP_SCHEMA_PATH", "/nonexistent/schema.json" },
        { "APP_HTTP_LISTEN_ADDR", "no-port" },
        { "APP_FILE_STORAGE_PATH", "relative/path" },
        { "APP_PACKAGE_INDEX_URL", "ftp://mirror/simple" },
        { "APP_PACKAGE_MAX_BYTES", "1Gi" },
        // No process may open this many descriptors (the kernel's nr_open is far lower).
        { "APP_MAX_CONNECTIONS", "2000000000" },
        { "APP_MAX_CONNECTIONS_PER_CLIENT", "0" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Startup_FailsNamingVariable_WhenSettingInvalid(string variable, string value)
    {
        var settings = new Dictionary<string, string>
        {
            ["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"] = "0",
            [variable] = value,
        };

        var exit = await ApiProcess.RunUntilExitAsync(settings, TestContext.Current.CancellationToken);

        exit.ExitCode.ShouldBe(1);
        exit.StandardError.ShouldContain(variable, Case.Sensitive, exit.StandardOutput);
        exit.StandardError.ShouldContain("cannot start");
    }
}
