using Interpreter.Executor.Packages;
using Shouldly;

namespace Interpreter.Executor.Tests;

/// <summary>The modules a source imports, read from its tokens: the ones on-the-fly installs consider.</summary>
public sealed class ImportScannerTests
{
    [Theory]
    [InlineData("import a", new[] { "a" })]
    [InlineData("import a.b.c, d as e,f", new[] { "a", "d", "f" })]
    [InlineData("from x.y import z\nfrom w import (v,\n    u)", new[] { "x", "w" })]
    [InlineData("def f():\n    import inner\n    if True: import deeper\n", new[] { "inner", "deeper" })]
    [InlineData("x = 1; import after_semicolon", new[] { "after_semicolon" })]
    [InlineData("from . import sibling\nfrom .pkg import thing\nfrom __future__ import annotations", new string[0])]
    [InlineData("s = 'import not_code'\n# import not_either\n\"\"\"\nimport nor_this\n\"\"\"", new string[0])]
    [InlineData("print('hi')", new string[0])]
    [InlineData("import a\nimport a.b\nfrom a import c", new[] { "a" })]
    [InlineData("def broken(:\n    import x", new string[0])]
    public void Modules_ListsTheTopLevelNamesImported_WhenScanned(string source, string[] expected)
    {
        var modules = ImportScanner.Modules(source);

        modules.ShouldBe(expected);
    }
}
