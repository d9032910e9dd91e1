using System.Text.Json;
using FluentValidation;
using Interpreter.Api.Access;
using Interpreter.Api.Configuration;
using Interpreter.Api.Connections;
using Interpreter.Api.Errors;
using Interpreter.Api.Features.CustomTools;
using Interpreter.Api.Features.CustomTools.ExecuteCustomTool;
using Interpreter.Api.Features.CustomTools.ParseCustomTool;
using Interpreter.Api.Features.Execute;
using Interpreter.Api.Features.Files.Download;
using Interpreter.Api.Features.Files.Expire;
using Interpreter.Api.Features.Files.Upload;
using Interpreter.Api.Grpc;
using Interpreter.Api.Operations;
using Interpreter.Api.Operations.Sweeping;
using Interpreter.Executor;
using Interpreter.Executor.CustomTools;
using Interpreter.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

try
{
    var builder = WebApplication.CreateBuilder(args);
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
    builder.Services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
    builder.Services.AddSingleton<SpawnAccessPolicy>();
    builder.Services.AddSingleton<OriginPolicy>();
    builder.Services.AddOptions<CompatibilityOptions>().BindConfiguration(CompatibilityOptions.Section).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<CompatibilityOptions>, CompatibilityOptionsValidator>();
    builder.Services.AddOptions<GrpcOptions>().BindConfiguration(GrpcOptions.Section).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<GrpcOptions>, GrpcOptionsValidator>();
    builder.Services.AddSingleton<GrpcEndpoint>();
    builder.Services.AddGrpc(o => o.Interceptors.Add<GrpcExceptionInterceptor>());
    builder.Services.AddSingleton<IConfigureOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>>(sp =>
        new ConfigureOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>(o =>
            o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, sp.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes.Bytes)));
    builder.Services.AddGrpcReflection();
    builder.Services.AddOptions<ConnectionOptions>().BindConfiguration(ConnectionOptions.Section).ValidateOnStart();
    builder.Services.AddSingleton<IOpenFileLimit, ProcOpenFileLimit>();
    builder.Services.AddSingleton<IValidateOptions<ConnectionOptions>, ConnectionOptionsValidator>();
    builder.Services.AddSingleton<ClientConnectionLimiter>();
    builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
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
    builder.Services.Configure<JsonOptions>(o =>
    {
        o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.SerializerOptions.DictionaryKeyPolicy = null;
    });
    builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = StatusCodeProblems.Describe);
    builder.Services.AddExceptionHandler<ApiExceptionHandler>();
    builder.Services.AddOpenApi("v1");
    builder.Services.AddSingleton<PrometheusExporter>();
    builder.Services.AddSingleton<ApiMetrics>();

    builder.Services.AddExecutor();
    builder.Services.AddFileStorage();
    builder.Services.AddStorageSweeping();
    // Wheels fetched for on-the-fly installs are cached by content beside the files.
    builder.Services.AddOptions<Interpreter.Executor.Packages.PackageOptions>().Configure<IOptions<StorageOptions>>((packages, storage) =>
        packages.CacheDirectory = Path.Combine(storage.Value.FileStoragePath, ".internal", "wheels"));
    builder.Services.AddSingleton<IValidator<ExecuteRequest>, ExecuteRequestValidator>();
    builder.Services.AddSingleton<IValidator<UploadForm>, UploadFormValidator>();
    builder.Services.AddSingleton<IValidator<DownloadRequest>, DownloadRequestValidator>();
    builder.Services.AddSingleton<IValidator<ExpireRequest>, ExpireRequestValidator>();
    builder.Services.AddSingleton<ExecutionService>();
    builder.Services.AddCustomTools();
    builder.Services.AddSingleton<IValidator<ParseCustomToolRequest>, ParseCustomToolRequestValidator>();
    builder.Services.AddSingleton<IValidator<ExecuteCustomToolRequest>, ExecuteCustomToolRequestValidator>();

    var app = builder.Build();
    // The exporter listens from start-up so no measurement before the first scrape is lost.
    app.Services.GetRequiredService<PrometheusExporter>();
    app.UseMiddleware<RequestContextMiddleware>();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseMiddleware<OriginGuardMiddleware>();
    app.UseMiddleware<SpawnGuardMiddleware>();
    app.UseMiddleware<UnsupportedCharsetMiddleware>();

    // One document, at a fixed path: another name is routing's 404 problem, not the OpenAPI handler's text/plain one.
    app.MapOpenApi("/openapi/v1.json");
    app.MapHealthEndpoints();
    app.MapMetricsEndpoint();
    app.MapExecuteEndpoint();
    app.MapUploadEndpoint();
    app.MapDownloadEndpoint();
    app.MapExpireEndpoint();
    app.MapCustomToolEndpoints();
    app.MapSweepDashboard();
    if (app.Services.GetRequiredService<IOptions<GrpcOptions>>().Value.Enabled)
    {
        app.MapGrpcService<CodeInterpreterGrpcService>().RequireSpawnAccess();
        app.MapGrpcReflectionService();
    }

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupFailure.IsConfiguration(e))
{
    await Console.Error.WriteLineAsync(StartupFailure.Describe(e));
    return 1;
}

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
