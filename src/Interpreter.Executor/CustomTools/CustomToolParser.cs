using Interpreter.Executor.CustomTools.Docstrings;
using Interpreter.Executor.CustomTools.Parsing;
using Interpreter.Executor.CustomTools.Schema;
using Interpreter.Executor.CustomTools.Types;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// Parses a tool's source in the control plane (Python's own parser for the syntax of the whole source, then a tokenizer
/// and recursive descent for the signature; nothing is evaluated) and builds its name, input schema and description.
/// Problems come back twice: in the reference service's words (<c>error_messages</c>) and one precise message each.
/// </summary>
public sealed class CustomToolParser(IPythonSyntaxCheck? syntax = null) : ICustomToolParser
{
    /// <summary>
    /// More than any real tool has. NJsonSchema's property collection costs O(n) per added property, so an
    /// unbounded count would let one request keep a core busy for minutes.
    /// </summary>
    public const int MaxParameters = 1000;

    /// <inheritdoc />
    public CustomToolParseResult Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ParsedModule module;
        try
        {
            module = PythonModuleParser.Parse(PythonTokenizer.Normalize(source));
        }
        catch (PythonSyntaxException e)
        {
            return SyntaxFailure(e.Message, e.Line, syntax?.Check(source));
        }

        // The signature parsed; the bodies are only stepped over by the service's parser, so Python's own has the last word.
        if (syntax?.Check(source) is var (message, line))
        {
            return SyntaxFailure(message, line, (message, line));
        }

        if (module.Functions.Count == 0)
        {
            return CustomToolParseResult.Failure([ReferenceMessages.SingleFunction],
                ["No function found: the source must define exactly one top-level function (def)."]);
        }

        var problems = new Problems();
        if (module.Functions.Count > 1)
        {
            var found = string.Join(", ", module.Functions.Select(f => $"'{f.Name}' at line {f.Line}"));
            problems.Add(ReferenceMessages.SingleFunction,
                $"The source defines {module.Functions.Count} top-level functions ({found}); it must define exactly one.");
        }

        var function = module.Functions[0];
        if (function.Parameters.Count > MaxParameters)
        {
            var tooMany = $"Function '{function.Name}' (line {function.Line}) has {function.Parameters.Count} parameters; a tool may have at most {MaxParameters}.";
            problems.Add(tooMany, tooMany);
            return problems.Failure();
        }

        var docstring = DocstringParser.Parse(function.Docstring);
        var parameters = ReadParameters(function, new ToolTypeResolver(module.Imports), docstring, problems);
        if (problems.Any)
        {
            return problems.Failure();
        }

        var schema = ToolSchemaBuilder.Build(function.Name, parameters);
        // As the reference: "Returns: <annotation> -- <doc>", either part alone when the other is missing.
        var returns = string.Join(" -- ", new[] { function.ReturnAnnotation ?? "", docstring.Returns ?? "" }.Where(part => part.Length > 0));
        var description = string.Join("\n\n", new[] { docstring.Summary, returns.Length > 0 ? "Returns: " + returns : "" }
            .Where(part => part.Length > 0));
        var tool = new CustomTool(function.Name, ToolSchemaBuilder.ToJson(schema), description)
        {
            InputSchema = schema,
            Parameters = parameters,
        };
        return new CustomToolParseResult(tool, []);
    }

    /// <summary>Python's own words where its parser is at hand and found the error (the reference's), else the service parser's.</summary>
    private static CustomToolParseResult SyntaxFailure(string message, int line, (string Message, int Line)? python)
    {
        var (pythonMessage, pythonLine) = python ?? (message, line);
        return CustomToolParseResult.Failure([ReferenceMessages.Syntax(pythonMessage, pythonLine)],
            [$"Syntax error at line {line}: {message}."]);
    }

    private static List<ToolParameter> ReadParameters(ParsedFunction function, ToolTypeResolver resolver, Docstring docstring, Problems problems)
    {
        var positionalOnly = function.Parameters.Where(p => p.Kind == ParameterKind.PositionalOnly).ToList();
        if (positionalOnly.Count > 0)
        {
            var names = string.Join(", ", positionalOnly.Select(p => $"'{p.Name}'"));
            problems.Add(ReferenceMessages.PositionalOnly,
                $"Positional-only parameters are not supported: {names} come before '/' (line {positionalOnly[^1].Line}); remove the '/'.");
        }

        var parameters = new List<ToolParameter>();
        foreach (var parameter in function.Parameters)
        {
            if (parameter.Kind == ParameterKind.VarPositional)
            {
                problems.Add(ReferenceMessages.VarArgs,
                    $"Parameter '*{parameter.Name}' (line {parameter.Line}): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter).");
                continue;
            }

            if (parameter.Kind == ParameterKind.VarKeyword)
            {
                problems.Add(ReferenceMessages.VarKwargs,
                    $"Parameter '**{parameter.Name}' (line {parameter.Line}): variable keyword parameters (**kwargs) are not supported; a tool takes named parameters (use e.g. a dict[str, ...] parameter).");
                continue;
            }

            if (parameter.Annotation is null)
            {
                problems.Add(ReferenceMessages.Annotations,
                    $"Parameter '{parameter.Name}' (line {parameter.Line}) has no type annotation; annotate it, e.g. '{parameter.Name}: str'.");
                continue;
            }

            var found = new List<string>();
            var type = resolver.Resolve(parameter.Annotation, found);
            var annotation = AnnotationText.Normalize(parameter.Annotation.Text);
            foreach (var problem in found)
            {
                problems.Add(problem.StartsWith("unsupported annotation", StringComparison.Ordinal)
                        ? ReferenceMessages.InvalidType(annotation)
                        : ReferenceMessages.TypeError(annotation, problem),
                    $"Parameter '{parameter.Name}' (line {parameter.Line}): {problem}.");
            }

            if (type is not null)
            {
                parameters.Add(new ToolParameter(parameter.Name, type, !parameter.HasDefault,
                    docstring.Parameters.GetValueOrDefault(parameter.Name), parameter.Default));
            }
        }

        return parameters;
    }

    /// <summary>The problems found so far: each kind once in the reference's words, every one in detail.</summary>
    private sealed class Problems
    {
        private readonly List<string> _reference = [];
        private readonly List<string> _details = [];

        public bool Any => _details.Count > 0;

        public void Add(string reference, string detail)
        {
            if (!_reference.Contains(reference, StringComparer.Ordinal))
            {
                _reference.Add(reference);
            }

            _details.Add(detail);
        }

        public CustomToolParseResult Failure() => CustomToolParseResult.Failure(_reference.ToArray(), _details.ToArray());
    }
}
