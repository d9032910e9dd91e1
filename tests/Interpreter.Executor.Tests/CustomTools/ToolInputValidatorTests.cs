using Interpreter.Executor.CustomTools;
using Interpreter.Executor.CustomTools.Schema;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>tool_input_json is checked against the schema in the control plane; each message names its field.</summary>
public sealed class ToolInputValidatorTests
{
    private const string Source = """
        from datetime import date, datetime, time, timedelta
        from typing import Literal, Optional
        def f(a: int, b: str = "x", when: Optional[datetime] = None, day: date = None, at: time = None,
              span: timedelta = None, items: list[dict[str, int]] = [], pair: tuple[int, str] = (1, "a"),
              tags: set[str] = set(), mode: Literal["fast", "slow"] = "fast", mix: Literal[1, "one"] = 1,
              ratio: float = 1.0, flag: bool = False):
            pass
        """;

    public static TheoryData<string, string[]> Invalid => new()
    {
        { """{"a": "x"}""", ["field 'a' must be an integer, got string \"x\""] },
        { """{"b": "x"}""", ["missing required field 'a'"] },
        { """{"a": 1, "zz": 1}""", ["unknown field 'zz': the tool has no parameter of that name"] },
        { """{"a": 1.5}""", ["field 'a' must be an integer, got number 1.5"] },
        { """{"a": 1.0}""", ["field 'a' must be an integer, got number 1.0"] },
        { """{"a": true}""", ["field 'a' must be an integer, got true"] },
        { """{"a": 1, "ratio": "1"}""", ["field 'ratio' must be a number, got string \"1\""] },
        { """{"a": 1, "flag": 1}""", ["field 'flag' must be a boolean, got number 1"] },
        { """{"a": 1, "when": "yesterday"}""", ["field 'when' must be an ISO 8601 date-time string such as \"2024-05-01T13:45:00+00:00\" or null, got string \"yesterday\""] },
        { """{"a": 1, "day": "2024-02-30"}""", ["field 'day' must be an ISO 8601 date string such as \"2024-05-01\", got string \"2024-02-30\""] },
        { """{"a": 1, "at": "25:00"}""", ["field 'at' must be an ISO 8601 time string such as \"13:45:00\", got string \"25:00\""] },
        { """{"a": 1, "span": "P1M"}""", ["field 'span' must be an ISO 8601 duration string such as \"P1DT2H30M\" (weeks, days, hours, minutes, seconds), got string \"P1M\""] },
        { """{"a": 1, "items": [{"k": 1}, {"k": "x"}]}""", ["field 'items[1].k' must be an integer, got string \"x\""] },
        { """{"a": 1, "items": {"k": 1}}""", ["field 'items' must be an array, got an object"] },
        { """{"a": 1, "pair": [1]}""", ["field 'pair' must have exactly 2 items, got an array of 1 items"] },
        { """{"a": 1, "pair": [1, 2]}""", ["field 'pair[1]' must be a string, got number 2"] },
        { """{"a": 1, "tags": ["x", "x"]}""", ["field 'tags' must not contain duplicate items (it is a set)"] },
        { """{"a": 1, "mode": "medium"}""", ["field 'mode' must be one of \"fast\", \"slow\", got string \"medium\""] },
        { """{"a": 1, "mix": "1"}""", ["field 'mix' must be one of 1 or one of \"one\", got string \"1\""] },
        { """{"a": "x", "b": 2, "zz": null}""", ["field 'a' must be an integer, got string \"x\"", "field 'b' must be a string, got number 2", "unknown field 'zz': the tool has no parameter of that name"] },
        { """[1, 2]""", ["tool_input_json must be a JSON object of parameter values, not an array."] },
        { """{"a": 1,}""", ["tool_input_json is not valid JSON: The JSON object contains a trailing comma at the end which is not supported in this mode. Change the reader options. LineNumber: 0 | BytePositionInLine: 8."] },
        { """{"a": 1, "a": 2}""", ["tool_input_json is not valid JSON: Duplicate property 'a' encountered during deserialization."] },
        { """{"a": NaN}""", ["tool_input_json is not valid JSON: 'N' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 6."] },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_NamesField_WhenInputViolatesSchema(string input, string[] messages)
    {
        var tool = Parse();

        var errors = ToolInputValidator.Validate(tool.InputSchema, input);

        errors.ShouldBe(messages, ignoreOrder: true);
    }

    [Theory]
    [InlineData("""{"a": 1}""")]
    [InlineData("""{"a": -5, "b": "y", "when": null, "ratio": 2, "flag": true}""")]
    [InlineData("""{"a": 1, "when": "2024-05-01T13:45:00Z", "day": "2024-02-29", "at": "13:45", "span": "P1DT2H30M"}""")]
    [InlineData("""{"a": 1, "when": "2024-05-01 13:45:00.123456+02:00", "at": "13:45:00.5", "span": "-PT0.5S"}""")]
    [InlineData("""{"a": 1, "when": "2024-05-01", "span": "P2W"}""")]
    [InlineData("""{"a": 1, "items": [{"k": 1}, {}], "pair": [2, "b"], "tags": ["x", "y"], "mode": "slow", "mix": "one"}""")]
    [InlineData("""{"a": 123456789012345678901234567890}""")]
    public void Validate_ReturnsNoErrors_WhenInputMatchesSchema(string input)
    {
        var tool = Parse();

        var errors = ToolInputValidator.Validate(tool.InputSchema, input);

        errors.ShouldBeEmpty();
    }

    private static CustomTool Parse()
    {
        var result = new CustomToolParser().Parse(Source);
        result.Errors.ShouldBeEmpty();
        return result.Tool!;
    }
}
