namespace Interpreter.Executor.Agent;

/// <summary>
/// Where a sandbox's agent listens: a unix socket in a host folder (Docker) or an address (Kubernetes).
/// <see cref="BaseAddress"/> has a host unique per sandbox so pooled connections never cross sandboxes.
/// <see cref="Token"/> is the sandbox's own random secret, which the agent asks of every request but its health
/// check, so that nothing but this service (another sandbox on the pod network, say) can drive it.
/// </summary>
public sealed record AgentEndpoint(Uri BaseAddress, string? UnixSocketPath, string? Token = null)
{
    /// <summary>A new random agent token (256 bits, hex).</summary>
    public static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <inheritdoc />
    public override string ToString() => $"AgentEndpoint {{ BaseAddress = {BaseAddress}, UnixSocketPath = {UnixSocketPath} }}";
}
