namespace Interpreter.Executor.CustomTools.Types;

/// <summary>The Python types a tool parameter may have (API.md's list), after aliases are resolved.</summary>
internal enum ToolTypeKind
{
    /// <summary><c>str</c>.</summary>
    String,

    /// <summary><c>int</c>.</summary>
    Integer,

    /// <summary><c>float</c>.</summary>
    Number,

    /// <summary><c>bool</c>.</summary>
    Boolean,

    /// <summary><c>None</c>.</summary>
    Null,

    /// <summary><c>Any</c> (and <c>object</c>).</summary>
    Any,

    /// <summary><c>bytes</c>, base64 in JSON.</summary>
    Bytes,

    /// <summary><c>datetime.datetime</c>, an ISO 8601 string in JSON.</summary>
    DateTime,

    /// <summary><c>datetime.date</c>.</summary>
    Date,

    /// <summary><c>datetime.time</c>.</summary>
    Time,

    /// <summary><c>datetime.timedelta</c>, an ISO 8601 duration string in JSON.</summary>
    Duration,

    /// <summary><c>pathlib.Path</c>.</summary>
    Path,

    /// <summary><c>list[T]</c>.</summary>
    List,

    /// <summary><c>set[T]</c>.</summary>
    Set,

    /// <summary><c>frozenset[T]</c>.</summary>
    FrozenSet,

    /// <summary><c>tuple[A, B, ...]</c> with a fixed length.</summary>
    Tuple,

    /// <summary><c>tuple[T, ...]</c>.</summary>
    VariadicTuple,

    /// <summary><c>dict[str, T]</c>.</summary>
    Dict,

    /// <summary><c>Union[...]</c>, <c>Optional[T]</c>, <c>A | B</c>.</summary>
    Union,

    /// <summary><c>Literal[...]</c> of str, int, bool and None.</summary>
    Literal,
}
