using System.Text.RegularExpressions;

namespace Interpreter.Executor.CustomTools.Docstrings;

/// <summary>
/// Reads reST (<c>:param x:</c>, <c>:return:</c>/<c>:returns:</c>) and Google-style (<c>Args:</c>, <c>Returns:</c>)
/// docstrings, also mixed. The docstring is first cleaned like <c>inspect.cleandoc</c>. A description that continues
/// on further (indented) lines is joined with single spaces; the summary keeps its line breaks.
/// </summary>
internal static partial class DocstringParser
{
    private enum Section
    {
        Summary,
        RestParameter,
        RestReturns,
        GoogleArguments,
        GoogleReturns,
        Ignored,
    }

    public static Docstring Parse(string? docstring)
    {
        if (string.IsNullOrWhiteSpace(docstring))
        {
            return Docstring.Empty;
        }

        var state = new State();
        foreach (var line in CleanLines(docstring))
        {
            state.Read(line);
        }

        return state.ToDocstring();
    }

    /// <summary><c>inspect.cleandoc</c>: tabs expanded, the common indentation of lines after the first removed, blank edges dropped.</summary>
    internal static List<string> CleanLines(string docstring)
    {
        var lines = docstring.Split('\n').Select(l => ExpandTabs(l).TrimEnd()).ToList();
        var margin = lines.Skip(1).Where(l => l.Length > 0).Select(Indent).DefaultIfEmpty(0).Min();
        var cleaned = new List<string> { lines[0].TrimStart() };
        cleaned.AddRange(lines.Skip(1).Select(l => l.Length >= margin ? l[margin..] : l.TrimStart()));
        while (cleaned.Count > 0 && cleaned[0].Length == 0)
        {
            cleaned.RemoveAt(0);
        }

        while (cleaned.Count > 0 && cleaned[^1].Length == 0)
        {
            cleaned.RemoveAt(cleaned.Count - 1);
        }

        return cleaned;
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static string ExpandTabs(string line)
    {
        if (!line.Contains('\t', StringComparison.Ordinal))
        {
            return line;
        }

        var text = new System.Text.StringBuilder();
        foreach (var c in line)
        {
            if (c == '\t')
            {
                text.Append(' ', 8 - (text.Length % 8));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^:(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?\*{0,2}(?<name>[^\s:*]+)\s*:(?<text>.*)\z")]
    private static partial Regex RestParameter();

    [GeneratedRegex(@"^:returns?\s*:(?<text>.*)\z")]
    private static partial Regex RestReturns();

    [GeneratedRegex(@"^:[^:\s][^:]*:")]
    private static partial Regex RestOtherField();

    [GeneratedRegex(@"^(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Kwargs|Other Parameters)\s*:\s*\z")]
    private static partial Regex GoogleArguments();

    [GeneratedRegex(@"^Returns?\s*:(?<text>.*)\z")]
    private static partial Regex GoogleReturns();

    [GeneratedRegex(@"^(?:Yields?|Raises?|Examples?|Notes?|Warnings?|Warns?|See Also|Attributes|Todo|References|Methods|Usage)\s*:\s*\z")]
    private static partial Regex GoogleOtherSection();

    [GeneratedRegex(@"^\*{0,2}(?<name>[^\W\d]\w*)\s*(?:\([^)]*\))?\s*:(?<text>.*)\z")]
    private static partial Regex GoogleEntry();

    // "int: The sum." in a Google Returns section: a leading type, then the text.
    [GeneratedRegex(@"^[A-Za-z_][\w.]*(?:\[[^\]]*\])?(?:\s*\|\s*[A-Za-z_][\w.]*(?:\[[^\]]*\])?)*\s*:\s+")]
    private static partial Regex LeadingType();

    private sealed class State
    {
        private readonly List<string> _summary = [];
        private readonly Dictionary<string, List<string>> _parameters = new(StringComparer.Ordinal);
        private List<string>? _returns;
        private List<string>? _current;
        private Section _section = Section.Summary;
        private int _sectionIndent;
        private int _entryIndent = -1;
        private bool _blankSinceField;

        public void Read(string line)
        {
            var text = line.Trim();
            var indent = Indent(line);
            if (text.Length > 0 && StartsStructure(text, indent))
            {
                return;
            }

            switch (_section)
            {
                case Section.Summary:
                    _summary.Add(line);
                    break;
                case Section.RestParameter or Section.RestReturns:
                    if (text.Length == 0)
                    {
                        _blankSinceField = true;
                    }
                    else if (indent > _sectionIndent || !_blankSinceField)
                    {
                        _current!.Add(text);
                    }
                    else
                    {
                        _section = Section.Ignored;
                    }

                    break;
                case Section.GoogleArguments:
                    ReadArgumentLine(text, indent);
                    break;
                case Section.GoogleReturns:
                    if (text.Length > 0 && indent <= _sectionIndent)
                    {
                        _section = Section.Ignored;
                    }
                    else if (text.Length > 0)
                    {
                        _current!.Add(_current.Count == 0 ? LeadingType().Replace(text, "") : text);
                    }

                    break;
            }
        }

        private bool StartsStructure(string text, int indent)
        {
            if (RestParameter().Match(text) is { Success: true } parameter)
            {
                _current = StartField(parameter.Groups["name"].Value, parameter.Groups["text"].Value);
                Enter(Section.RestParameter, indent);
                return true;
            }

            if (RestReturns().Match(text) is { Success: true } returns)
            {
                _current = _returns = [];
                Add(_current, returns.Groups["text"].Value);
                Enter(Section.RestReturns, indent);
                return true;
            }

            if (RestOtherField().IsMatch(text) || GoogleOtherSection().IsMatch(text))
            {
                Enter(Section.Ignored, indent);
                return true;
            }

            if (GoogleArguments().IsMatch(text))
            {
                Enter(Section.GoogleArguments, indent);
                return true;
            }

            if (GoogleReturns().Match(text) is { Success: true } googleReturns)
            {
                _current = _returns = [];
                Add(_current, LeadingType().Replace(googleReturns.Groups["text"].Value.Trim(), ""));
                Enter(Section.GoogleReturns, indent);
                return true;
            }

            return false;
        }

        private void ReadArgumentLine(string text, int indent)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (indent <= _sectionIndent)
            {
                _section = Section.Ignored;
                return;
            }

            if ((_entryIndent < 0 || indent <= _entryIndent) && GoogleEntry().Match(text) is { Success: true } entry)
            {
                _entryIndent = indent;
                _current = StartField(entry.Groups["name"].Value, entry.Groups["text"].Value);
                return;
            }

            _current?.Add(text);
        }

        private List<string> StartField(string name, string text)
        {
            var lines = new List<string>();
            Add(lines, text);
            _parameters[name] = lines;
            return lines;
        }

        private static void Add(List<string> lines, string text)
        {
            if (text.Trim() is { Length: > 0 } trimmed)
            {
                lines.Add(trimmed);
            }
        }

        private void Enter(Section section, int indent)
        {
            _section = section;
            _sectionIndent = indent;
            _entryIndent = -1;
            _blankSinceField = false;
        }

        public Docstring ToDocstring()
        {
            var summary = string.Join("\n", _summary).Trim();
            var parameters = _parameters
                .Where(p => p.Value.Count > 0)
                .ToDictionary(p => p.Key, p => string.Join(" ", p.Value), StringComparer.Ordinal);
            var returns = _returns is { Count: > 0 } ? string.Join(" ", _returns) : null;
            return new Docstring(summary, parameters, returns);
        }
    }
}
