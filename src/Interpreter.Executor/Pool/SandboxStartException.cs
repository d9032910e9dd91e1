namespace Interpreter.Executor.Pool;

/// <summary>A sandbox could not be started; the message says what to check.</summary>
public sealed class SandboxStartException(string message) : Exception(message);
