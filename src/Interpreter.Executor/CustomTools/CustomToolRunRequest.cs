namespace Interpreter.Executor.CustomTools;

/// <summary>One call of a custom tool: its source, the JSON object of arguments, and the sandbox's environment.</summary>
public sealed record CustomToolRunRequest(string SourceCode, string InputJson, IReadOnlyDictionary<string, string> Env);
