using Microsoft.OpenApi;

namespace Interpreter.Api.Features.CustomTools;

/// <summary>
/// Documents a JSON request body the handler reads itself. <c>Accepts&lt;T&gt;()</c> would also make routing answer
/// a wrong Content-Type with a problem+json 415 before the handler runs, which is not these endpoints' error shape.
/// </summary>
internal static class JsonBodyDocumentation
{
    public static RouteHandlerBuilder DocumentsJsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
