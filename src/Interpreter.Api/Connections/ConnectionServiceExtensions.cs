using Interpreter.Api.Configuration;
using Interpreter.Api.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Connections;

/// <summary>Kestrel's limits: request body size, connections in all and per client, and the gRPC endpoint's shape.</summary>
internal static class ConnectionServiceExtensions
{
    public static IServiceCollection AddConnectionLimits(this IServiceCollection services)
    {
        services.AddOptions<ConnectionOptions>().BindConfiguration(ConnectionOptions.Section).ValidateOnStart();
        services.AddSingleton<IOpenFileLimit, ProcOpenFileLimit>();
        services.AddSingleton<IValidateOptions<ConnectionOptions>, ConnectionOptionsValidator>();
        services.AddSingleton<ClientConnectionLimiter>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = sp.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes.Bytes;
            var connections = sp.GetRequiredService<IOptions<ConnectionOptions>>().Value;
            kestrel.Limits.MaxConcurrentConnections = connections.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = connections.MaxConnections;
            var limiter = sp.GetRequiredService<ClientConnectionLimiter>();
            var grpc = sp.GetRequiredService<GrpcEndpoint>();
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                listen.Use(next => connection => limiter.OnConnectionAsync(connection, next));
                grpc.Configure(listen);
            });
        }));
        return services;
    }
}
