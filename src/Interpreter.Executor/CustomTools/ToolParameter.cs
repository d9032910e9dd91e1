using Interpreter.Executor.CustomTools.Types;
using Newtonsoft.Json.Linq;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// One parameter of a parsed tool. <see cref="Default"/> is the JSON value of its default when the default is a
/// literal; a parameter with any default is not required, whether or not the default has a JSON value.
/// </summary>
internal sealed record ToolParameter(string Name, ToolType Type, bool IsRequired, string? Description, JToken? Default);
