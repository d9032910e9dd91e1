namespace Interpreter.Storage;

/// <summary>
/// Storing a file would take its chat, or the whole storage folder, over a quota; nothing was registered and the
/// staged bytes are dropped. <see cref="Variable"/> names the APP_ setting of the quota.
/// </summary>
public sealed class StorageQuotaExceededException(string variable, string message) : Exception(message)
{
    /// <summary>The APP_ variable that sets the exceeded quota.</summary>
    public string Variable { get; } = variable;
}
