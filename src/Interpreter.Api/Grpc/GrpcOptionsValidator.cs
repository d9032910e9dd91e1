using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Grpc;

/// <summary>Validates the gRPC settings, naming the variable at fault; the certificate files are loaded once here.</summary>
internal sealed class GrpcOptionsValidator(IOptions<ApiOptions> api) : IValidateOptions<GrpcOptions>
{
    public ValidateOptionsResult Validate(string? name, GrpcOptions options)
    {
        var errors = new List<string>();
        string? url = null;
        try
        {
            url = AppConfigurationExtensions.ToListenUrl(options.ListenAddress);
        }
        catch (InvalidOperationException)
        {
            errors.Add($"APP_GRPC_LISTEN_ADDR '{options.ListenAddress}' must be host:port, e.g. 0.0.0.0:50051.");
        }

        if (options.Enabled && url is not null
            && string.Equals(url, SafeUrl(api.Value.HttpListenAddress), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"APP_GRPC_LISTEN_ADDR '{options.ListenAddress}' must differ from APP_HTTP_LISTEN_ADDR: gRPC has a port of its own.");
        }

        if ((options.TlsCert.Length > 0) != (options.TlsCertKey.Length > 0))
        {
            errors.Add("APP_GRPC_TLS_CERT and APP_GRPC_TLS_CERT_KEY must be set together (PEM certificate and its private key).");
        }
        else if (options.UsesTls)
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPemFile(options.TlsCert, options.TlsCertKey);
                if (!certificate.HasPrivateKey)
                {
                    errors.Add($"APP_GRPC_TLS_CERT_KEY '{options.TlsCertKey}' holds no private key of APP_GRPC_TLS_CERT.");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"APP_GRPC_TLS_CERT '{options.TlsCert}' / APP_GRPC_TLS_CERT_KEY '{options.TlsCertKey}' must be a readable PEM certificate and its private key: {e.Message}");
            }
        }

        if (options.TlsCaCert.Length > 0)
        {
            if (!options.UsesTls)
            {
                errors.Add("APP_GRPC_TLS_CA_CERT needs APP_GRPC_TLS_CERT and APP_GRPC_TLS_CERT_KEY: client certificates are checked only over TLS.");
            }

            try
            {
                using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(options.TlsCaCert));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"APP_GRPC_TLS_CA_CERT '{options.TlsCaCert}' must be a readable PEM certificate: {e.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string? SafeUrl(string address)
    {
        try
        {
            return AppConfigurationExtensions.ToListenUrl(address);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
