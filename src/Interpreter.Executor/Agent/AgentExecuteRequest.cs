namespace Interpreter.Executor.Agent;

/// <summary>Body of the agent's <c>POST /execute</c>.</summary>
public sealed record AgentExecuteRequest(string SourceCode, IReadOnlyDictionary<string, string> Env, double TimeoutSeconds);
