using Npgsql;

namespace Interpreter.Storage.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server scripts/test.sh starts (scripts/ensure-postgres.sh prints its connection string into
/// COMPUTESANDBOX_TEST_POSTGRES). Each test gets a schema of its own, dropped afterwards.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "COMPUTESANDBOX_TEST_POSTGRES";

    /// <summary>The server's connection string; skips the test outside CI when none is configured, fails it in CI.</summary>
    public static string ConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        const string why = Variable + " is not set: run scripts/test.sh, or export the last line of scripts/ensure-postgres.sh.";
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            Assert.Fail(why);
        }

        Assert.Skip(why);
        return "";
    }

    /// <summary>Creates a schema of its own and returns a connection string whose search path is it.</summary>
    public static async Task<(string ConnectionString, string Schema)> CreateSchemaAsync(CancellationToken ct)
    {
        var server = ConnectionString();
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema };
        return (builder.ConnectionString, schema);
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
