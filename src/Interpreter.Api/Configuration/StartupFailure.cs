using Microsoft.Extensions.Options;

namespace Interpreter.Api.Configuration;

/// <summary>Turns a configuration failure at start-up into one message in the variables' own names (APP_X, not App:X).</summary>
internal static class StartupFailure
{
    public static bool IsConfiguration(Exception e) =>
        e is OptionsValidationException or FormatException
        || (e is InvalidOperationException
            && (e.Message.Contains("APP_", StringComparison.Ordinal) || e.Message.Contains("'App:", StringComparison.Ordinal)));

    public static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current is OptionsValidationException validation
                ? string.Join(" ", validation.Failures)
                : current.Message);
        }

        return "ComputeSandbox cannot start: invalid configuration: "
            + string.Join(" ", messages.Distinct()).Replace("'App:", "'APP_", StringComparison.Ordinal);
    }
}
