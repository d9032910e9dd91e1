using System.Text.Json.Nodes;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.CustomTools;

/// <summary>Both custom-tool endpoints appear in the OpenAPI document with their bodies and answers.</summary>
[Collection(DockerCollection.Name)]
public sealed class CustomToolOpenApiTests(DockerFixture fixture)
{
    [Theory]
    [InlineData("/v1/parse-custom-tool", "tool_source_code", "error_messages")]
    [InlineData("/v1/execute-custom-tool", "tool_input_json", "stderr")]
    public async Task OpenApi_DescribesEndpoint_WhenDocumentRequested(string path, string requestField, string errorField)
    {
        var document = JsonNode.Parse(await fixture.Client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;

        var operation = document["paths"]![path]!["post"]!;
        var requestSchema = Resolve(document, operation["requestBody"]!["content"]!["application/json"]!["schema"]!);
        requestSchema["properties"]![requestField].ShouldNotBeNull();
        var errorSchema = Resolve(document, operation["responses"]!["400"]!["content"]!["application/json"]!["schema"]!);
        errorSchema["properties"]![errorField].ShouldNotBeNull();
        operation["responses"]!["200"].ShouldNotBeNull();
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference.Split('/')[^1]]!
            : schema;
}
