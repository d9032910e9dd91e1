namespace Interpreter.Executor.CustomTools;

/// <summary>Reads a custom tool's Python source without running it.</summary>
public interface ICustomToolParser
{
    /// <summary>
    /// Parses <paramref name="source"/>: optional imports and other top-level statements (never evaluated), then
    /// exactly one top-level function with annotated parameters. Every problem found is reported, not only the first.
    /// </summary>
    CustomToolParseResult Parse(string source);
}
