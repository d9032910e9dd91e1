namespace Interpreter.Executor.Packages;

/// <summary>A distribution could not be installed; the message says why, for the run's stderr.</summary>
public sealed class PackageInstallException(string message, Exception? inner = null) : Exception(message, inner);
