using System.Net;

namespace Interpreter.Executor.Kubernetes;

/// <summary>The Kubernetes API answered an error status; <see cref="Reason"/> is its machine-readable reason.</summary>
internal sealed class KubernetesApiException(HttpStatusCode statusCode, string? reason, string message) : Exception(message)
{
    /// <summary>The HTTP status (409 AlreadyExists, 403 Forbidden, 410 Gone, ...).</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The status reason, e.g. <c>AlreadyExists</c> or <c>Forbidden</c>.</summary>
    public string? Reason { get; } = reason;
}
