using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Interpreter.Api.Configuration;
using Interpreter.Executor.Configuration;
using Interpreter.Storage;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Interpreter.Api.Tests;

/// <summary>The README's configuration table and the options the service binds agree: same variables, same defaults.</summary>
public sealed partial class ReadmeConfigurationTableTests
{
    [Fact]
    public void Readme_ListsEveryBoundVariableWithItsDefault_WhenCompared()
    {
        var bound = BoundVariables();
        var documented = DocumentedVariables();

        documented.Keys.Except(bound.Keys).ShouldBeEmpty("README rows without a bound option");
        bound.Keys.Except(documented.Keys).ShouldBeEmpty("bound options missing from the README table");
        foreach (var (variable, value) in bound)
        {
            documented[variable].ShouldBe(value, $"default of {variable}");
        }
    }

    [Fact]
    public void Options_KeepReferenceNamesAndDefaults_WhenBound()
    {
        var bound = BoundVariables();

        // The reference service's configuration table, names and defaults unchanged.
        bound["APP_HTTP_LISTEN_ADDR"].ShouldBe("0.0.0.0:50081");
        bound["APP_GRPC_ENABLED"].ShouldBe("false");
        bound["APP_GRPC_LISTEN_ADDR"].ShouldBe("0.0.0.0:50051");
        bound["APP_SCHEMA_PATH"].ShouldBe("\"\"");
        bound["APP_EXECUTOR_IMAGE"].ShouldBe("localhost/tgpt-code-executor:local");
        bound["APP_FILE_STORAGE_PATH"].ShouldBe("/tmp/code_interp");
        bound["APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH"].ShouldBe("5");
        bound["APP_EXECUTOR_POD_NAME_PREFIX"].ShouldBe("code-executor-");
        bound["APP_PUBLIC_SPAWN_ENABLED"].ShouldBe("false");
        bound["APP_REQUIRE_CHAT_ID"].ShouldBe("true");
        bound["APP_INTERNAL_HOST_ALLOWLIST"].ShouldBe("[]");
        bound["APP_INTERNAL_IP_ALLOWLIST"].ShouldBe("[]");
        bound["APP_WORKSPACE_SIZE_LIMIT"].ShouldBe("1Gi");
        bound.Keys.ShouldContain("APP_EXECUTOR_CONTAINER_RESOURCES");
        bound.Keys.ShouldContain("APP_EXECUTOR_POD_SPEC_EXTRA");
        bound.Keys.ShouldContain("APP_GRPC_TLS_CERT");
        bound.Keys.ShouldContain("APP_GRPC_TLS_CERT_KEY");
        bound.Keys.ShouldContain("APP_GRPC_TLS_CA_CERT");
    }

    private static Dictionary<string, string> BoundVariables()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var assemblies = new[] { typeof(ApiOptions).Assembly, typeof(ExecutorOptions).Assembly, typeof(StorageOptions).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && !t.IsAbstract))
        {
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>() is not null)
                .ToList();
            if (properties.Count == 0)
            {
                continue;
            }

            var instance = Activator.CreateInstance(type, nonPublic: true)!;
            foreach (var property in properties)
            {
                var key = "APP_" + property.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name;
                result.Add(key, Format(property.GetValue(instance)));
            }
        }

        return result;
    }

    private static string Format(object? value) => value switch
    {
        null or "" => "\"\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static Dictionary<string, string> DocumentedVariables()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ComputeSandbox.sln")))
        {
            folder = folder.Parent;
        }

        folder.ShouldNotBeNull("the repository root (ComputeSandbox.sln) above the test binaries");
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(folder.FullName, "README.md")))
        {
            var row = TableRow().Match(line);
            if (row.Success)
            {
                rows.Add(row.Groups["name"].Value, row.Groups["default"].Value);
            }
        }

        return rows;
    }

    [GeneratedRegex("^\\| `(?<name>APP_[A-Z0-9_]+)` \\| `(?<default>[^`]*)` \\|")]
    private static partial Regex TableRow();
}
