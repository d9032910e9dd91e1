using System.Text.Json.Nodes;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>Structural JSON comparison: key order and formatting do not matter, every value does.</summary>
internal static class JsonAssert
{
    public static void Equivalent(string actual, string expected, string? because = null)
    {
        var actualNode = JsonNode.Parse(actual);
        var expectedNode = JsonNode.Parse(expected);
        JsonNode.DeepEquals(actualNode, expectedNode).ShouldBeTrue(
            $"{because}\nexpected: {expectedNode?.ToJsonString()}\nactual:   {actualNode?.ToJsonString()}");
    }
}
