using Interpreter.Api.Features.CustomTools.ExecuteCustomTool;
using Interpreter.Api.Features.CustomTools.ParseCustomTool;

namespace Interpreter.Api.Features.CustomTools;

/// <summary>Maps <c>POST /v1/parse-custom-tool</c> and <c>POST /v1/execute-custom-tool</c>.</summary>
internal static class CustomToolEndpoints
{
    public static IEndpointRouteBuilder MapCustomToolEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapParseCustomToolEndpoint();
        app.MapExecuteCustomToolEndpoint();
        return app;
    }
}
