using System.Text;
using System.Text.Json;
using Interpreter.Api.Errors;
using Interpreter.Api.Features.Execute.Run;
using Shouldly;

namespace Interpreter.Api.Tests.Errors;

public sealed class JsonErrorsTests
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static TheoryData<string, string> Bodies => new()
    {
        { """{"source_code": 42}""", "The field 'source_code' must be a string." },
        { """{"max_downloads": 9223372036854775808}""", "The field 'max_downloads' must be a whole number that fits in 64 bits." },
        { """{"timeout_seconds": 2147483648}""", "The field 'timeout_seconds' must be a whole number that fits in 32 bits." },
        { """{"persistent_workspace": "yes"}""", "The field 'persistent_workspace' must be true or false." },
        { """{"env": [1]}""", "The field 'env' must be an object whose values are strings." },
        { """{"env": {"A": 5}}""", "The field 'env.A' must be a string." },
        { "[1, 2]", JsonErrors.NotAnObject },
        { "42", JsonErrors.NotAnObject },
        { """{"source_code": "print(1)" """, "The request body is not valid JSON" },
        { """{"source_code": "a\ud800b"}""", "The field 'source_code' is not valid text" },
        { new string('[', 100) + new string(']', 100), JsonErrors.NotAnObject },
        { """{"x": """ + new string('[', 100) + new string(']', 100) + "}", "maximum configured depth" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Describe_SaysWhatIsWrongInJsonTerms_WhenBodyDoesNotBind(string body, string expected)
    {
        var error = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ExecuteRequest>(body, Options));

        var message = JsonErrors.Describe(error);

        message.ShouldContain(expected);
        message.ShouldNotContain("System.");
        message.ShouldNotContain("Interpreter.");
    }

    [Fact]
    public void Describe_NamesFieldAsInvalidText_WhenStringHasInvalidUtf8()
    {
        byte[] body = [.. """{"chat_id": "a"""u8.ToArray(), 0xFF, .. "\"}"u8.ToArray()];

        var error = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ExecuteRequest>(body, Options));

        JsonErrors.Describe(error).ShouldStartWith("The field 'chat_id' is not valid text");
    }

    [Fact]
    public void Describe_SaysBodyIsEmpty_WhenThereAreNoTokens()
    {
        var error = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ExecuteRequest>(Encoding.UTF8.GetBytes("  "), Options));

        JsonErrors.Describe(error).ShouldBe("The request body is empty; send a JSON object.");
    }
}
