namespace Interpreter.Executor.Agent;

/// <summary>
/// Where a sandbox's agent listens: a unix socket in a host folder (Docker) or an address (Kubernetes).
/// <see cref="BaseAddress"/> has a host unique per sandbox so pooled connections never cross sandboxes.
/// </summary>
public sealed record AgentEndpoint(Uri BaseAddress, string? UnixSocketPath);
