using Interpreter.Executor.CustomTools.Docstrings;
using Interpreter.Executor.CustomTools.Parsing;
using Interpreter.Executor.CustomTools.Schema;
using Interpreter.Executor.CustomTools.Types;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// Parses a tool's source in the control plane (tokenizer + recursive descent; nothing is evaluated) and builds its
/// name, input schema and description. The messages it returns are what clients see in <c>error_messages</c>.
/// </summary>
public sealed class CustomToolParser : ICustomToolParser
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
            return CustomToolParseResult.Failure([$"Syntax error at line {e.Line}: {e.Message}."]);
        }

        if (module.Functions.Count == 0)
        {
            return CustomToolParseResult.Failure(["No function found: the source must define exactly one top-level function (def)."]);
        }

        var errors = new List<string>();
        if (module.Functions.Count > 1)
        {
            var found = string.Join(", ", module.Functions.Select(f => $"'{f.Name}' at line {f.Line}"));
            errors.Add($"The source defines {module.Functions.Count} top-level functions ({found}); it must define exactly one.");
        }

        var function = module.Functions[0];
        if (function.Parameters.Count > MaxParameters)
        {
            errors.Add($"Function '{function.Name}' (line {function.Line}) has {function.Parameters.Count} parameters; a tool may have at most {MaxParameters}.");
            return CustomToolParseResult.Failure(errors);
        }

        var docstring = DocstringParser.Parse(function.Docstring);
        var parameters = ReadParameters(function, new ToolTypeResolver(module.Imports), docstring, errors);
        if (errors.Count > 0)
        {
            return CustomToolParseResult.Failure(errors);
        }

        var schema = ToolSchemaBuilder.Build(function.Name, parameters);
        var description = string.Join("\n\n", new[] { docstring.Summary, docstring.Returns is { } returns ? "Returns: " + returns : "" }
            .Where(part => part.Length > 0));
        var tool = new CustomTool(function.Name, ToolSchemaBuilder.ToJson(schema), description)
        {
            InputSchema = schema,
            Parameters = parameters,
        };
        return new CustomToolParseResult(tool, []);
    }

    private static List<ToolParameter> ReadParameters(ParsedFunction function, ToolTypeResolver resolver, Docstring docstring, List<string> errors)
    {
        var positionalOnly = function.Parameters.Where(p => p.Kind == ParameterKind.PositionalOnly).ToList();
        if (positionalOnly.Count > 0)
        {
            var names = string.Join(", ", positionalOnly.Select(p => $"'{p.Name}'"));
            errors.Add($"Positional-only parameters are not supported: {names} come before '/' (line {positionalOnly[^1].Line}); remove the '/'.");
        }

        var parameters = new List<ToolParameter>();
        foreach (var parameter in function.Parameters)
        {
            if (parameter.Kind == ParameterKind.VarPositional)
            {
                errors.Add($"Parameter '*{parameter.Name}' (line {parameter.Line}): variable positional parameters (*args) are not supported; a tool takes named parameters (use e.g. a list[...] parameter).");
                continue;
            }

            if (parameter.Kind == ParameterKind.VarKeyword)
            {
                errors.Add($"Parameter '**{parameter.Name}' (line {parameter.Line}): variable keyword parameters (**kwargs) are not supported; a tool takes named parameters (use e.g. a dict[str, ...] parameter).");
                continue;
            }

            if (parameter.Annotation is null)
            {
                errors.Add($"Parameter '{parameter.Name}' (line {parameter.Line}) has no type annotation; annotate it, e.g. '{parameter.Name}: str'.");
                continue;
            }

            var problems = new List<string>();
            var type = resolver.Resolve(parameter.Annotation, problems);
            errors.AddRange(problems.Select(problem => $"Parameter '{parameter.Name}' (line {parameter.Line}): {problem}."));
            if (type is not null)
            {
                parameters.Add(new ToolParameter(parameter.Name, type, !parameter.HasDefault,
                    docstring.Parameters.GetValueOrDefault(parameter.Name), parameter.Default));
            }
        }

        return parameters;
    }
}
