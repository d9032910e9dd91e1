using Interpreter.Api.Grpc;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Configuration;

/// <summary>The <c>APP_</c> variables, the listen addresses, logging and the Api's own options.</summary>
internal static class ConfigurationServiceExtensions
{
    public static WebApplicationBuilder AddApiConfiguration(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddAppEnvironmentVariables();

        var listenUrls = AppConfigurationExtensions.ToListenUrl(
            builder.Configuration["App:HTTP_LISTEN_ADDR"] ?? new ApiOptions().HttpListenAddress);
        if (GrpcEndpoint.ListenUrl(builder.Configuration) is { } grpcUrl)
        {
            listenUrls += ";" + grpcUrl;
        }

        builder.WebHost.UseUrls(listenUrls);
        builder.Logging.ClearProviders().AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section)
            .Validate(o => o.FileSizeLimit.Bytes >= 1, "APP_FILE_SIZE_LIMIT must be at least 1 byte.")
            .ValidateOnStart();
        builder.Services.AddOptions<CompatibilityOptions>().BindConfiguration(CompatibilityOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CompatibilityOptions>, CompatibilityOptionsValidator>();
        return builder;
    }
}
