using Google.Protobuf.Reflection;
using Interpreter.Api.Grpc.V1;
using Shouldly;

namespace Interpreter.Api.Tests;

/// <summary>
/// The compiled proto matches the reference's wire contract (../shared/spec/GRPC.md) field for field: its clients'
/// stubs are generated from the reference's own proto, so a renumbered or retyped field would break them silently.
/// </summary>
public sealed class GrpcContractTests
{
    public static TheoryData<string, string, int, string> Fields => new()
    {
        { "ExecuteRequest", "executor_id", 1, "string" },
        { "ExecuteRequest", "source_code", 2, "string" },
        { "ExecuteRequest", "files", 3, "map<string,string>" },
        { "ExecuteResponse", "stdout", 1, "string" },
        { "ExecuteResponse", "stderr", 2, "string" },
        { "ExecuteResponse", "exit_code", 3, "int32" },
        { "ExecuteResponse", "files", 4, "map<string,string>" },
        { "ParseCustomToolRequest", "tool_source_code", 1, "string" },
        { "ParseCustomToolResponseSuccess", "tool_name", 1, "string" },
        { "ParseCustomToolResponseSuccess", "tool_description", 2, "string" },
        { "ParseCustomToolResponseSuccess", "tool_input_schema_json", 3, "string" },
        { "ParseCustomToolResponseError", "error_messages", 1, "repeated string" },
        { "ParseCustomToolResponse", "success", 1, "oneof response: ParseCustomToolResponseSuccess" },
        { "ParseCustomToolResponse", "error", 2, "oneof response: ParseCustomToolResponseError" },
        { "ExecuteCustomToolRequest", "executor_id", 1, "string" },
        { "ExecuteCustomToolRequest", "tool_source_code", 2, "string" },
        { "ExecuteCustomToolRequest", "tool_input_json", 3, "string" },
        { "ExecuteCustomToolResponseSuccess", "tool_output_json", 1, "string" },
        { "ExecuteCustomToolResponseError", "stderr", 1, "string" },
        { "ExecuteCustomToolResponse", "success", 1, "oneof response: ExecuteCustomToolResponseSuccess" },
        { "ExecuteCustomToolResponse", "error", 2, "oneof response: ExecuteCustomToolResponseError" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Proto_HasTheReferencesField_WhenCompiled(string message, string field, int number, string type)
    {
        var descriptor = CodeInterpreterServiceReflection.Descriptor.MessageTypes.Single(m => m.Name == message);

        var found = descriptor.Fields.InDeclarationOrder().Single(f => f.Name == field);

        found.FieldNumber.ShouldBe(number);
        Describe(found).ShouldBe(type);
    }

    [Fact]
    public void Proto_HasExactlyTheReferencesMessagesAndFields_WhenCompiled()
    {
        var file = CodeInterpreterServiceReflection.Descriptor;

        file.Package.ShouldBe("code_interpreter.v1");
        file.MessageTypes.Select(m => m.Name).Order().ShouldBe(Fields.Select(row => (string)row.Data.Item1).Distinct().Order());
        file.MessageTypes.Sum(m => m.Fields.InDeclarationOrder().Count).ShouldBe(Fields.Count);
    }

    [Fact]
    public void Proto_DeclaresTheReferencesService_WhenCompiled()
    {
        var service = CodeInterpreterServiceReflection.Descriptor.Services.Single();

        service.FullName.ShouldBe("code_interpreter.v1.CodeInterpreterService");
        service.Methods.Select(m => $"{m.Name}({m.InputType.Name}) -> {m.OutputType.Name}").ShouldBe(
        [
            "Execute(ExecuteRequest) -> ExecuteResponse",
            "ParseCustomTool(ParseCustomToolRequest) -> ParseCustomToolResponse",
            "ExecuteCustomTool(ExecuteCustomToolRequest) -> ExecuteCustomToolResponse",
        ]);
    }

    private static string Describe(FieldDescriptor field)
    {
        if (field.IsMap)
        {
            var entry = field.MessageType;
            return $"map<{Scalar(entry.FindFieldByNumber(1))},{Scalar(entry.FindFieldByNumber(2))}>";
        }

        if (field.RealContainingOneof is { } oneof)
        {
            return $"oneof {oneof.Name}: {field.MessageType.Name}";
        }

        return field.IsRepeated ? "repeated " + Scalar(field) : Scalar(field);
    }

    private static string Scalar(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "string",
        FieldType.Int32 => "int32",
        FieldType.Message => field.MessageType.Name,
        _ => field.FieldType.ToString(),
    };
}
