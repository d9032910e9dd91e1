using System.Text.Json.Nodes;
using Interpreter.Executor.CustomTools;
using Shouldly;

namespace Interpreter.Executor.Tests.CustomTools;

/// <summary>reST and Google docstrings feed the tool description and the property descriptions.</summary>
public sealed class DocstringTests
{
    public static TheoryData<string, string, string, string?, string?> Docstrings => new()
    {
        {
            "reST with :return:",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    :param a: The first.\n    :param b: The second.\n    :return: The sum.\n    \"\"\"",
            "Adds things.\n\nReturns: The sum.", "The first.", "The second."
        },
        {
            "reST with :returns: and typed fields",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    :param int a: The first.\n    :type a: int\n    :param str b: The second.\n    :returns: The sum.\n    :rtype: int\n    \"\"\"",
            "Adds things.\n\nReturns: The sum.", "The first.", "The second."
        },
        {
            "reST continuation lines",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    :param a: The first\n        number to add.\n    :param b: The second.\n    :returns: The sum\n        of both.\n    :raises ValueError: never\n    \"\"\"",
            "Adds things.\n\nReturns: The sum of both.", "The first number to add.", "The second."
        },
        {
            "Google with types and continuation",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    Args:\n        a (int): The first\n            number to add.\n        b: The second.\n\n    Returns:\n        int: The sum\n        of both.\n\n    Raises:\n        ValueError: never.\n    \"\"\"",
            "Adds things.\n\nReturns: The sum of both.", "The first number to add.", "The second."
        },
        {
            "Google inline Returns",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    Arguments:\n        a: The first.\n        b (str, optional): The second.\n    Returns: The sum.\n    \"\"\"",
            "Adds things.\n\nReturns: The sum.", "The first.", "The second."
        },
        {
            "multi-paragraph summary, no return",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    Works on ints\n    and strings.\n\n    Args:\n        a: The first.\n    \"\"\"",
            "Adds things.\n\nWorks on ints\nand strings.", "The first.", null
        },
        {
            "no docstring",
            "def f(a: int, b: str):\n    return a",
            "", null, null
        },
        {
            "string that is not the first statement",
            "def f(a: int, b: str):\n    x = 1\n    \"\"\"Not a docstring.\"\"\"",
            "", null, null
        },
        {
            "one-line docstring on the def line",
            "def f(a: int, b: str): 'Adds things.'",
            "Adds things.", null, null
        },
        {
            "raw, single-quoted, implicit concatenation",
            "def f(a: int, b: str):\n    r'Adds \\n things.' ' More.'\n    return a",
            "Adds \\n things. More.", null, null
        },
        {
            "escapes in a normal string (tabs expanded like inspect.cleandoc)",
            "def f(a: int, b: str):\n    \"Tab\\there,\\nnew line.\\n\\n:param a: A\\x21\"",
            "Tab     here,\nnew line.", "A!", null
        },
        {
            "f-string is no docstring",
            "def f(a: int, b: str):\n    f\"\"\"Adds {a}.\"\"\"",
            "", null, null
        },
        {
            "returns only",
            "def f(a: int, b: str):\n    \"\"\"\n    Returns:\n        The sum.\n    \"\"\"",
            "Returns: The sum.", null, null
        },
        {
            "mixed reST params and Google Returns, unknown names ignored",
            "def f(a: int, b: str):\n    \"\"\"Adds things.\n\n    :param a: The first.\n    :param zzz: Not a parameter.\n\n    Returns:\n        The sum.\n    \"\"\"",
            "Adds things.\n\nReturns: The sum.", "The first.", null
        },
        {
            "tab-indented docstring",
            "def f(a: int, b: str):\n\t\"\"\"Adds things.\n\n\tArgs:\n\t\ta: The first.\n\t\tb: The second.\n\t\"\"\"",
            "Adds things.", "The first.", "The second."
        },
    };

    [Theory]
    [MemberData(nameof(Docstrings))]
    public void Parse_UsesDocstring_WhenVariantGiven(string name, string source, string description, string? aDescription, string? bDescription)
    {
        var result = new CustomToolParser().Parse(source);

        result.Errors.ShouldBeEmpty(name);
        result.Tool!.Description.ShouldBe(description, name);
        var properties = JsonNode.Parse(result.Tool.InputSchemaJson)!["properties"]!;
        properties["a"]!["description"]?.GetValue<string>().ShouldBe(aDescription, name);
        properties["b"]!["description"]?.GetValue<string>().ShouldBe(bDescription, name);
        if (aDescription is null)
        {
            properties["a"]!["description"].ShouldBeNull(name);
        }

        if (bDescription is null)
        {
            properties["b"]!["description"].ShouldBeNull(name);
        }
    }
}
