using System.Globalization;

namespace Interpreter.Api.Connections;

/// <summary>
/// Reads the soft open-file limit from <c>/proc/self/limits</c> (Linux). The .NET runtime raises the soft limit to
/// the hard one at start-up, so this is what the process really has.
/// </summary>
internal sealed class ProcOpenFileLimit : IOpenFileLimit
{
    private const string LimitsFile = "/proc/self/limits";

    public long? Current()
    {
        if (!File.Exists(LimitsFile))
        {
            return null;
        }

        foreach (var line in File.ReadLines(LimitsFile))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft)
                ? soft
                : null;
        }

        return null;
    }
}
