namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>Shapes of an annotation expression, before names are resolved to types.</summary>
internal enum TypeNodeKind
{
    /// <summary>A dotted name: <c>int</c>, <c>t.Optional</c>, <c>datetime.date</c>.</summary>
    Name,

    /// <summary><c>Base[arg, ...]</c>; <see cref="TypeNode.Name"/> is the base's dotted name.</summary>
    Subscript,

    /// <summary><c>A | B | ...</c>.</summary>
    Union,

    /// <summary>A str, int or bool literal, or None (<see cref="TypeNode.Value"/> is null).</summary>
    Constant,

    /// <summary><c>[A, B]</c>, as in <c>Callable[[A], B]</c>.</summary>
    List,

    /// <summary><c>()</c> or <c>(A, B)</c>.</summary>
    Tuple,

    /// <summary><c>...</c>.</summary>
    Ellipsis,

    /// <summary>Anything else: calls, arithmetic, floats, f-strings.</summary>
    Invalid,
}
