using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Configuration;

/// <summary>
/// Maps every <c>APP_NAME</c> environment variable to the key <c>App:NAME</c>, the section all options
/// classes bind, keeping the reference service's variable names unchanged.
/// </summary>
internal sealed class AppEnvironmentConfigurationSource : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider : ConfigurationProvider
    {
        private const string Prefix = "APP_";

        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                if (entry.Key is string key && key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length)
                {
                    data["App:" + key[Prefix.Length..]] = entry.Value as string;
                }
            }

            Data = data;
        }
    }
}
