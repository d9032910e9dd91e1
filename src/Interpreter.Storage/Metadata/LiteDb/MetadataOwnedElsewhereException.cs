namespace Interpreter.Storage.Metadata.LiteDb;

/// <summary>
/// Another process holds the embedded metadata database (another API on the same storage folder, or the previous
/// instance of this one still shutting down) and did not let go within APP_METADATA_OWNER_WAIT_SECONDS.
/// </summary>
public sealed class MetadataOwnedElsewhereException(string databasePath, TimeSpan waited, Exception inner)
    : InvalidOperationException(
        $"The metadata database {databasePath} is in use by another process (its lock {databasePath}.owner is held): " +
        $"waited {waited.TotalSeconds:0.#} s (APP_METADATA_OWNER_WAIT_SECONDS) for it to exit. The embedded LiteDB store " +
        "serves one process per storage folder; stop the other one, or use APP_METADATA_BACKEND=postgres for several replicas.",
        inner);
