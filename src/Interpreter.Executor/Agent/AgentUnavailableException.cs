namespace Interpreter.Executor.Agent;

/// <summary>The agent did not answer or broke the connection: the sandbox is dead or dying.</summary>
public sealed class AgentUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
