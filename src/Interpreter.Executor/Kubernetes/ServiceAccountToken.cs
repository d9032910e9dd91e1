using System.Net.Http.Headers;
using k8s.Authentication;

namespace Interpreter.Executor.Kubernetes;

/// <summary>
/// The bearer token of a token file, read again for each request: the kubelet rotates service-account tokens by
/// swapping the file, and KubernetesClient's own TokenFileAuth would keep sending the old one for up to a minute.
/// </summary>
internal sealed class ServiceAccountToken(string path) : ITokenProvider
{
    private string? _last;

    /// <summary>The file the token is read from.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        new("Bearer", await CurrentAsync(cancellationToken));

    /// <summary>The token to send now.</summary>
    public async Task<string> CurrentAsync(CancellationToken ct)
    {
        try
        {
            _last = (await File.ReadAllTextAsync(Path, ct)).Trim();
        }
        catch (IOException) when (_last is not null)
        {
            // A rotation swaps the file's symlink; the token read before is still valid for a while.
        }

        return _last!;
    }
}
