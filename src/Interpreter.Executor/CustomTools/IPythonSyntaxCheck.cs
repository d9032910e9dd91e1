namespace Interpreter.Executor.CustomTools;

/// <summary>Checks a source with Python's own parser, without running any of it.</summary>
public interface IPythonSyntaxCheck
{
    /// <summary>
    /// Null when the source parses (or no Python parser is at hand: the check is then left to the service's own
    /// parser), else the syntax error as <c>(message, line)</c>.
    /// </summary>
    (string Message, int Line)? Check(string source);
}
