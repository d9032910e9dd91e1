namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>What the tool parser reads from a module: its top-level functions and import aliases.</summary>
internal sealed record ParsedModule(IReadOnlyList<ParsedFunction> Functions, ImportScope Imports);
