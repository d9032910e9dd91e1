using Microsoft.Extensions.Options;

namespace Interpreter.Api.Access;

/// <summary>Who may spawn work and from which browser origins: the policies and the guards that apply them.</summary>
internal static class AccessServiceExtensions
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton<SpawnAccessPolicy>();
        services.AddSingleton<OriginPolicy>();
        return services;
    }

    /// <summary>The origin and spawn guards: both answer 403 before the endpoint reads any body.</summary>
    public static IApplicationBuilder UseAccessGuards(this IApplicationBuilder app) =>
        app.UseMiddleware<OriginGuardMiddleware>().UseMiddleware<SpawnGuardMiddleware>();
}
