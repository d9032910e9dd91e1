using System.Net;

namespace Interpreter.Executor.Docker;

/// <summary>The engine answered an error; <see cref="StatusCode"/> and its message are kept.</summary>
public sealed class DockerEngineException(HttpStatusCode statusCode, string message)
    : Exception($"Docker engine answered {(int)statusCode}: {message}")
{
    /// <summary>HTTP status the engine returned.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;
}
