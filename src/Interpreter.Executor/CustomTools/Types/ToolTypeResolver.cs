using System.Numerics;
using Interpreter.Executor.CustomTools.Parsing;

namespace Interpreter.Executor.CustomTools.Types;

/// <summary>
/// Turns an annotation into a <see cref="ToolType"/>. Names are qualified through the module's imports
/// (<c>import typing as t</c>, <c>from datetime import date as d</c>); a name nobody imported is taken in its
/// usual meaning (<c>List</c>, <c>Optional</c>, <c>datetime</c>, <c>Path</c>), as tool authors often forget the import.
/// String annotations are parsed as annotations. Every unsupported part is reported, not only the first.
/// </summary>
internal sealed class ToolTypeResolver(ImportScope imports)
{
    private static readonly Dictionary<string, string> BareNames = new(StringComparer.Ordinal)
    {
        ["str"] = "builtins.str",
        ["int"] = "builtins.int",
        ["float"] = "builtins.float",
        ["bool"] = "builtins.bool",
        ["bytes"] = "builtins.bytes",
        ["object"] = "builtins.object",
        ["list"] = "builtins.list",
        ["dict"] = "builtins.dict",
        ["set"] = "builtins.set",
        ["frozenset"] = "builtins.frozenset",
        ["tuple"] = "builtins.tuple",
        ["Any"] = "typing.Any",
        ["Text"] = "typing.Text",
        ["List"] = "typing.List",
        ["Dict"] = "typing.Dict",
        ["Set"] = "typing.Set",
        ["FrozenSet"] = "typing.FrozenSet",
        ["Tuple"] = "typing.Tuple",
        ["Optional"] = "typing.Optional",
        ["Union"] = "typing.Union",
        ["Literal"] = "typing.Literal",
        ["Annotated"] = "typing.Annotated",
        ["datetime"] = "datetime.datetime",
        ["date"] = "datetime.date",
        ["time"] = "datetime.time",
        ["timedelta"] = "datetime.timedelta",
        ["Path"] = "pathlib.Path",
        ["PurePath"] = "pathlib.PurePath",
        ["PosixPath"] = "pathlib.PosixPath",
        ["PurePosixPath"] = "pathlib.PurePosixPath",
    };

    private static readonly Dictionary<string, ToolTypeKind> Simple = new(StringComparer.Ordinal)
    {
        ["builtins.str"] = ToolTypeKind.String,
        ["typing.Text"] = ToolTypeKind.String,
        ["builtins.int"] = ToolTypeKind.Integer,
        ["builtins.float"] = ToolTypeKind.Number,
        ["builtins.bool"] = ToolTypeKind.Boolean,
        ["builtins.bytes"] = ToolTypeKind.Bytes,
        ["builtins.object"] = ToolTypeKind.Any,
        ["typing.Any"] = ToolTypeKind.Any,
        ["types.NoneType"] = ToolTypeKind.Null,
        ["datetime.datetime"] = ToolTypeKind.DateTime,
        ["datetime.date"] = ToolTypeKind.Date,
        ["datetime.time"] = ToolTypeKind.Time,
        ["datetime.timedelta"] = ToolTypeKind.Duration,
        ["pathlib.Path"] = ToolTypeKind.Path,
        ["pathlib.PurePath"] = ToolTypeKind.Path,
        ["pathlib.PosixPath"] = ToolTypeKind.Path,
        ["pathlib.PurePosixPath"] = ToolTypeKind.Path,
    };

    private static readonly Dictionary<string, ToolTypeKind> Containers = new(StringComparer.Ordinal)
    {
        ["builtins.list"] = ToolTypeKind.List,
        ["typing.List"] = ToolTypeKind.List,
        ["builtins.set"] = ToolTypeKind.Set,
        ["typing.Set"] = ToolTypeKind.Set,
        ["builtins.frozenset"] = ToolTypeKind.FrozenSet,
        ["typing.FrozenSet"] = ToolTypeKind.FrozenSet,
        ["builtins.dict"] = ToolTypeKind.Dict,
        ["typing.Dict"] = ToolTypeKind.Dict,
        ["builtins.tuple"] = ToolTypeKind.Tuple,
        ["typing.Tuple"] = ToolTypeKind.Tuple,
    };

    /// <summary>The type of <paramref name="annotation"/>, or null after adding one message per problem to <paramref name="problems"/>.</summary>
    public ToolType? Resolve(TypeNode annotation, ICollection<string> problems)
    {
        var found = new List<string>();
        var type = Resolve(annotation, annotation.Text, found);
        foreach (var problem in found)
        {
            problems.Add(problem);
        }

        return found.Count == 0 ? type : null;
    }

    private ToolType? Resolve(TypeNode node, string root, List<string> problems)
    {
        switch (node.Kind)
        {
            case TypeNodeKind.Name:
                return ResolveName(node, root, problems);
            case TypeNodeKind.Subscript:
                return ResolveSubscript(node, root, problems);
            case TypeNodeKind.Union:
                return MakeUnion(node.Items.Select(m => Resolve(m, root, problems)).ToList());
            case TypeNodeKind.Constant when node.Value is null:
                return ToolType.NullType;
            case TypeNodeKind.Constant when node.Value is string text:
                var inner = TypeExpressionParser.ParseText(text);
                if (inner.Kind == TypeNodeKind.Invalid)
                {
                    problems.Add($"the annotation string {Quote(text)} is not a valid type expression");
                    return null;
                }

                return Resolve(inner, inner.Text, problems);
            case TypeNodeKind.Invalid:
                problems.Add($"unsupported annotation {Quote(node.Text)}{Within(node, root)}");
                return null;
            default:
                problems.Add($"unsupported type {Quote(node.Text)}{Within(node, root)}");
                return null;
        }
    }

    private ToolType? ResolveName(TypeNode node, string root, List<string> problems)
    {
        var name = Qualify(node.Name!);
        if (Simple.TryGetValue(name, out var kind))
        {
            return new ToolType(kind);
        }

        if (Containers.TryGetValue(name, out var container))
        {
            return container == ToolTypeKind.Tuple
                ? new ToolType(ToolTypeKind.VariadicTuple, ToolType.AnyType)
                : new ToolType(container, ToolType.AnyType);
        }

        problems.Add(name is "typing.Optional" or "typing.Union" or "typing.Literal" or "typing.Annotated"
            ? $"{Quote(node.Text)} needs type arguments, e.g. {node.Text}[...]{Within(node, root)}"
            : $"unsupported type {Quote(node.Text)}{Within(node, root)}");
        return null;
    }

    private ToolType? ResolveSubscript(TypeNode node, string root, List<string> problems)
    {
        var name = Qualify(node.Name!);
        var arguments = node.Items;
        if (Containers.TryGetValue(name, out var container))
        {
            return container switch
            {
                ToolTypeKind.Dict => ResolveDict(node, root, problems),
                ToolTypeKind.Tuple => ResolveTuple(node, root, problems),
                _ => Arity(node, 1, root, problems) && Resolve(arguments[0], root, problems) is { } item
                    ? new ToolType(container, item)
                    : null,
            };
        }

        switch (name)
        {
            case "typing.Optional":
                return Arity(node, 1, root, problems) && Resolve(arguments[0], root, problems) is { } optional
                    ? MakeUnion([optional, ToolType.NullType])
                    : null;
            case "typing.Union":
                if (arguments.Count == 0)
                {
                    problems.Add($"{Quote(node.Text)} needs at least one type argument{Within(node, root)}");
                    return null;
                }

                return MakeUnion(arguments.Select(a => Resolve(a, root, problems)).ToList());
            case "typing.Literal":
                return ResolveLiteral(node, root, problems);
            case "typing.Annotated":
                if (arguments.Count < 2)
                {
                    problems.Add($"{Quote(node.Text)} needs a type and at least one metadata argument{Within(node, root)}");
                    return null;
                }

                return Resolve(arguments[0], root, problems);
            default:
                problems.Add($"unsupported type {Quote(node.Text)}{Within(node, root)}");
                return null;
        }
    }

    private ToolType? ResolveDict(TypeNode node, string root, List<string> problems)
    {
        if (!Arity(node, 2, root, problems))
        {
            return null;
        }

        var key = node.Items[0];
        var keyType = Resolve(key, root, problems);
        var value = Resolve(node.Items[1], root, problems);
        if (keyType is not null && keyType.Kind != ToolTypeKind.String)
        {
            problems.Add($"dict keys must be str (JSON object keys are strings), not {Quote(key.Text)}{Within(node, root)}");
            return null;
        }

        return keyType is null || value is null ? null : new ToolType(ToolTypeKind.Dict, value);
    }

    private ToolType? ResolveTuple(TypeNode node, string root, List<string> problems)
    {
        var arguments = node.Items;
        if (arguments is [{ Kind: TypeNodeKind.Tuple, Items.Count: 0 }])
        {
            return new ToolType(ToolTypeKind.Tuple, Members: []);
        }

        if (arguments is [var repeated, { Kind: TypeNodeKind.Ellipsis }])
        {
            return Resolve(repeated, root, problems) is { } item ? new ToolType(ToolTypeKind.VariadicTuple, item) : null;
        }

        if (arguments.Count == 0 || arguments.Any(a => a.Kind == TypeNodeKind.Ellipsis))
        {
            problems.Add($"{Quote(node.Text)} is not a valid tuple type: use tuple[A, B] for fixed items or tuple[T, ...] for any number{Within(node, root)}");
            return null;
        }

        var members = arguments.Select(a => Resolve(a, root, problems)).ToList();
        return members.Any(m => m is null) ? null : new ToolType(ToolTypeKind.Tuple, Members: members!);
    }

    private ToolType? ResolveLiteral(TypeNode node, string root, List<string> problems)
    {
        var values = new List<object?>();
        var ok = node.Items.Count > 0;
        if (!ok)
        {
            problems.Add($"{Quote(node.Text)} needs at least one value{Within(node, root)}");
        }

        foreach (var argument in node.Items)
        {
            if (argument.Kind == TypeNodeKind.Constant && argument.Value is null or string or bool or BigInteger)
            {
                values.Add(argument.Value);
            }
            else if (argument.Kind == TypeNodeKind.Subscript && Qualify(argument.Name!) == "typing.Literal"
                     && ResolveLiteral(argument, root, problems) is { } nested)
            {
                values.AddRange(nested.Values!);
            }
            else
            {
                problems.Add($"Literal value {Quote(argument.Text)} is not supported (only str, int, bool and None literals are){Within(node, root)}");
                ok = false;
            }
        }

        return ok ? new ToolType(ToolTypeKind.Literal, Values: values) : null;
    }

    private static bool Arity(TypeNode node, int expected, string root, List<string> problems)
    {
        if (node.Items.Count == expected)
        {
            return true;
        }

        var plural = expected == 1 ? "argument" : "arguments";
        problems.Add($"{Quote(node.Text)} must have exactly {expected} type {plural}, not {node.Items.Count}{Within(node, root)}");
        return false;
    }

    private static ToolType? MakeUnion(IReadOnlyList<ToolType?> members)
    {
        if (members.Any(m => m is null))
        {
            return null;
        }

        var flat = members.SelectMany(m => m!.Kind == ToolTypeKind.Union ? m.Members! : [m]).ToList();
        if (flat.Any(m => m.Kind == ToolTypeKind.Any))
        {
            return ToolType.AnyType;
        }

        var distinct = flat.DistinctBy(m => m.ToString()).ToList();
        return distinct.Count == 1 ? distinct[0] : new ToolType(ToolTypeKind.Union, Members: distinct);
    }

    private string Qualify(string dotted)
    {
        var dot = dotted.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? dotted : dotted[..dot];
        var rest = dot < 0 ? "" : dotted[dot..];
        var name = imports.Aliases.TryGetValue(head, out var target) ? target + rest
            : dot < 0 && BareNames.TryGetValue(head, out var known) ? known
            : dotted;
        if (name.StartsWith("typing_extensions.", StringComparison.Ordinal))
        {
            name = "typing." + name["typing_extensions.".Length..];
        }

        // `import datetime` then `x: datetime` means the class, whatever Python would make of the module.
        return name == "datetime" ? "datetime.datetime" : name;
    }

    private static string Within(TypeNode node, string root) =>
        string.Equals(node.Text, root, StringComparison.Ordinal) ? "" : $" in {Quote(root)}";

    private static string Quote(string text) => "'" + text + "'";
}
