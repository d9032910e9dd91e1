using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>Format <c>time</c>: an ISO 8601 time, as the sandbox converts it (see <see cref="IsoFormats"/>).</summary>
internal sealed class IsoTimeFormatValidator : IFormatValidator
{
    public string Format => "time";

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.TimeExpected;

    public bool IsValid(string value, JTokenType tokenType) => IsoFormats.IsTime(value);
}
