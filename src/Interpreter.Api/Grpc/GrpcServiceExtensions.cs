using Grpc.AspNetCore.Server;
using Interpreter.Api.Access;
using Interpreter.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Grpc;

/// <summary>The reference's gRPC service beside the HTTP API, when <c>APP_GRPC_ENABLED</c>.</summary>
internal static class GrpcServiceExtensions
{
    public static IServiceCollection AddGrpcSurface(this IServiceCollection services)
    {
        services.AddOptions<GrpcOptions>().BindConfiguration(GrpcOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrpcOptions>, GrpcOptionsValidator>();
        services.AddSingleton<GrpcEndpoint>();
        services.AddGrpc(o => o.Interceptors.Add<GrpcExceptionInterceptor>());
        services.AddSingleton<IConfigureOptions<GrpcServiceOptions>>(sp => new ConfigureOptions<GrpcServiceOptions>(o =>
            o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, sp.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes.Bytes)));
        services.AddGrpcReflection();
        return services;
    }

    public static IEndpointRouteBuilder MapGrpcSurface(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<GrpcOptions>>().Value.Enabled)
        {
            app.MapGrpcService<CodeInterpreterGrpcService>().RequireSpawnAccess();
            app.MapGrpcReflectionService();
        }

        return app;
    }
}
