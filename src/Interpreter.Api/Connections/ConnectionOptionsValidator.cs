using System.Globalization;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Connections;

/// <summary>
/// Checks the connection caps against each other and against the process's file-descriptor limit: every open
/// connection holds a descriptor, and the service needs its own (sandbox sockets, blobs, the database) beyond them,
/// so no number of client connections may use up the budget.
/// </summary>
internal sealed class ConnectionOptionsValidator(IOpenFileLimit limit) : IValidateOptions<ConnectionOptions>
{
    /// <summary>Descriptors kept for the service's own work, beyond the client connections.</summary>
    public const int ReservedDescriptors = 1024;

    public ValidateOptionsResult Validate(string? name, ConnectionOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConnections < 1)
        {
            errors.Add("APP_MAX_CONNECTIONS must be at least 1.");
        }

        if (options.MaxConnectionsPerClient < 1 || options.MaxConnectionsPerClient > options.MaxConnections)
        {
            errors.Add("APP_MAX_CONNECTIONS_PER_CLIENT must be at least 1 and at most APP_MAX_CONNECTIONS.");
        }

        if (limit.Current() is { } descriptors && (long)options.MaxConnections + ReservedDescriptors > descriptors)
        {
            errors.Add(string.Format(CultureInfo.InvariantCulture,
                "APP_MAX_CONNECTIONS={0} needs {1} file descriptors ({2} kept for the service itself), but this process may "
                + "open only {3}: lower APP_MAX_CONNECTIONS or raise the limit (ulimit -n, LimitNOFILE, the container's nofile ulimit).",
                options.MaxConnections, (long)options.MaxConnections + ReservedDescriptors, ReservedDescriptors, descriptors));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
