namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// One node of a parsed annotation. <see cref="Text"/> is its source text, used in messages.
/// <see cref="Value"/> holds a constant: string, <see cref="System.Numerics.BigInteger"/>, bool or null (None).
/// </summary>
internal sealed record TypeNode(TypeNodeKind Kind, string Text, string? Name = null, IReadOnlyList<TypeNode>? Arguments = null, object? Value = null)
{
    public IReadOnlyList<TypeNode> Items => Arguments ?? [];
}
