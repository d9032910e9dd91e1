using Npgsql;

namespace Interpreter.Storage.Metadata;

/// <summary>Turns APP_METADATA_DATABASE_URL into an Npgsql connection string.</summary>
public static class PostgresConnectionString
{
    /// <summary>
    /// Accepts <c>postgresql://user:password@host:port/database?sslmode=require</c> (also <c>postgres://</c>) or an
    /// Npgsql keyword string (<c>Host=...;Username=...</c>); throws <see cref="FormatException"/> otherwise.
    /// </summary>
    public static string Normalize(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new FormatException("The PostgreSQL connection string is empty.");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        try
        {
            if (value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            {
                FromUrl(new Uri(value), builder);
            }
            else
            {
                builder.ConnectionString = value;
            }
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or KeyNotFoundException)
        {
            throw new FormatException($"Not a PostgreSQL URL or connection string: {e.Message}", e);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("The PostgreSQL connection string names no host.");
        }

        return builder.ConnectionString;
    }

    private static void FromUrl(Uri url, NpgsqlConnectionStringBuilder builder)
    {
        builder.Host = url.Host.Trim('[', ']');
        builder.Port = url.IsDefaultPort || url.Port <= 0 ? 5432 : url.Port;
        if (url.UserInfo.Length > 0)
        {
            var separator = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? url.UserInfo : url.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(url.UserInfo[(separator + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            builder[key] = value;
        }
    }
}
