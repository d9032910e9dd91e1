using Interpreter.Executor.Agent;

namespace Interpreter.Executor.Pool;

/// <summary>A started sandbox whose agent answered: backend id, name and where its agent listens.</summary>
public sealed record SandboxInstance(string Id, string Name, AgentEndpoint Agent, DateTimeOffset ReadyAt);
