using Newtonsoft.Json.Linq;

namespace Interpreter.Executor.CustomTools.Parsing;

/// <summary>
/// One parameter of the tool's <c>def</c>. <see cref="Default"/> is the default's JSON value when it is a literal;
/// it is null when there is no default or the default is an expression JSON cannot hold (see <see cref="HasDefault"/>).
/// </summary>
internal sealed record ParsedParameter(
    string Name,
    int Line,
    ParameterKind Kind,
    TypeNode? Annotation,
    bool HasDefault,
    JToken? Default);
