using Interpreter.Executor.CustomTools.Parsing;

namespace Interpreter.Executor.Packages;

/// <summary>
/// The top-level modules a Python source imports (<c>import a.b, c as d</c>, <c>from e.f import g</c>, at any depth),
/// read from its tokens so strings and comments never count. Relative imports are the code's own and left out.
/// </summary>
internal static class ImportScanner
{
    public static IReadOnlyList<string> Modules(string source)
    {
        IReadOnlyList<PythonToken> tokens;
        try
        {
            tokens = PythonTokenizer.Tokenize(PythonTokenizer.Normalize(source));
        }
        catch (PythonSyntaxException)
        {
            return []; // Python will say what is wrong with it
        }

        var found = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var atStatementStart = i == 0 || tokens[i - 1].Kind is PythonTokenKind.Newline or PythonTokenKind.Indent or PythonTokenKind.Dedent
                || tokens[i - 1].IsOperator(";") || tokens[i - 1].IsOperator(":");
            if (!atStatementStart)
            {
                continue;
            }

            if (tokens[i].IsName("import"))
            {
                // import a.b as c, d
                var j = i + 1;
                while (j < tokens.Count && tokens[j].Kind == PythonTokenKind.Name)
                {
                    Add(found, tokens[j].Text);
                    j++;
                    while (j + 1 < tokens.Count && tokens[j].IsOperator(".") && tokens[j + 1].Kind == PythonTokenKind.Name)
                    {
                        j += 2;
                    }

                    if (j + 1 < tokens.Count && tokens[j].IsName("as"))
                    {
                        j += 2;
                    }

                    if (j < tokens.Count && tokens[j].IsOperator(","))
                    {
                        j++;
                        continue;
                    }

                    break;
                }
            }
            else if (tokens[i].IsName("from") && i + 1 < tokens.Count && tokens[i + 1].Kind == PythonTokenKind.Name
                && !tokens[i + 1].IsName("import"))
            {
                Add(found, tokens[i + 1].Text);
            }
        }

        return found;
    }

    private static void Add(List<string> found, string module)
    {
        if (module != "__future__" && !found.Contains(module, StringComparer.Ordinal))
        {
            found.Add(module);
        }
    }
}
