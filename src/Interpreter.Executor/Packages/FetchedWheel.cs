namespace Interpreter.Executor.Packages;

/// <summary>A wheel in the cache: its file name (as the index named it), verified SHA-256 and path on disk.</summary>
public sealed record FetchedWheel(string FileName, string Sha256, string CachePath);
