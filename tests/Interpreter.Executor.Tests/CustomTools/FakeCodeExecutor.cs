using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Interpreter.Executor.Execution;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>Stands in for the sandbox: records each request and answers with what the test scripts.</summary>
internal sealed partial class FakeCodeExecutor(Func<ExecutionRequest, JsonObject, ExecutionResult> answer) : ICodeExecutor
{
    public List<ExecutionRequest> Requests { get; } = [];

    public Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, CancellationToken ct)
    {
        Requests.Add(request);
        return Task.FromResult(answer(request, Payload(request.SourceCode)));
    }

    /// <summary>The JSON payload the harness receives, decoded from the program's last line.</summary>
    public static JsonObject Payload(string program)
    {
        var encoded = RunCall().Match(program).Groups["payload"].Value;
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)))!.AsObject();
    }

    [GeneratedRegex("""\n_run\("(?<payload>[A-Za-z0-9+/=]*)"\)\n$""")]
    private static partial Regex RunCall();
}
