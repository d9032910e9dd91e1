namespace Interpreter.Executor.CustomTools;

/// <summary>
/// The reference service's own <c>error_messages</c> texts, word for word, for the cases it knows: its clients (and
/// the models behind them) have seen these. The parser's more precise messages travel beside them as details.
/// </summary>
public static class ReferenceMessages
{
    /// <summary>Anything but imports followed by exactly one function.</summary>
    public const string SingleFunction = "The tool source code must only define a single function, optionally preceded by imports.";

    /// <summary>Parameters before <c>/</c>.</summary>
    public const string PositionalOnly = "The tool function must not have positional-only arguments";

    /// <summary>A <c>*args</c> parameter.</summary>
    public const string VarArgs = "The tool function must not have *args";

    /// <summary>A <c>**kwargs</c> parameter.</summary>
    public const string VarKwargs = "The tool function must not have **kwargs";

    /// <summary>One or more parameters without a type annotation (said once for all).</summary>
    public const string Annotations = "The tool function arguments must have type annotations";

    /// <summary>A syntax error as Python's parser reports it.</summary>
    public static string Syntax(string message, int line) => $"Syntax error: {message} on line {line}";

    /// <summary>An annotation that is not a plain type expression (a call, an operator other than <c>|</c>, ...).</summary>
    public static string InvalidType(string annotation) => $"Invalid type annotation `{annotation}`";

    /// <summary>An annotation that names something the tool's namespace lacks or that has no JSON Schema.</summary>
    public static string TypeError(string annotation, string why) => $"Error when parsing type `{annotation}`: {why}";
}
