using System.Security.Cryptography;

namespace Interpreter.Executor.Pool;

/// <summary>
/// Names of new sandboxes (containers or pods): APP_EXECUTOR_POD_NAME_PREFIX and a random suffix of lowercase letters
/// and digits, valid as a container name and as a pod name; a rare clash is retried by the backend.
/// </summary>
internal static class SandboxNames
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 10);
}
