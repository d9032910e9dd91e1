namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// Names bound by the module's top-level imports: local name -> qualified name
/// (<c>import typing as t</c> gives t -> typing; <c>from datetime import date as d</c> gives d -> datetime.date).
/// </summary>
internal sealed record ImportScope(IReadOnlyDictionary<string, string> Aliases)
{
    public static ImportScope Empty { get; } = new(new Dictionary<string, string>());
}
