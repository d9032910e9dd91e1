namespace Interpreter.Executor.Docker;

/// <summary>The parts of <c>GET /version</c> the client uses.</summary>
public sealed record DockerVersion(string Version, string ApiVersion, string? MinAPIVersion);
