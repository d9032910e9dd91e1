using Interpreter.Api.Access;
using Interpreter.Api.Configuration;
using Interpreter.Api.Connections;
using Interpreter.Api.Errors;
using Interpreter.Api.Features;
using Interpreter.Api.Grpc;
using Interpreter.Api.Operations;
using Interpreter.Api.Operations.Sweeping;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddApiConfiguration();
    builder.AddOperations();
    builder.Services.AddAccess();
    builder.Services.AddConnectionLimits();
    builder.Services.AddProblemResponses();
    builder.Services.AddFeatures();
    builder.Services.AddStorageSweeping();
    builder.Services.AddOpenApiDocumentation();
    builder.Services.AddGrpcSurface();

    var app = builder.Build();
    app.UseRequestContext();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAccessGuards();
    app.UseFeatures();
    app.MapSweepDashboard();
    app.UseOpenApiDocumentation();
    app.MapGrpcSurface();

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
