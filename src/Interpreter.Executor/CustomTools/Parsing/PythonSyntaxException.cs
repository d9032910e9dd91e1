namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>The source is not valid Python (within what the tool parser checks); <see cref="Line"/> is 1-based.</summary>
internal sealed class PythonSyntaxException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
