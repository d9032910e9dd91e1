using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>Format <c>duration</c>: an ISO 8601 duration, as the sandbox converts it (see <see cref="IsoFormats"/>).</summary>
internal sealed class IsoDurationFormatValidator : IFormatValidator
{
    public string Format => "duration";

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.TimeSpanExpected;

    public bool IsValid(string value, JTokenType tokenType) => IsoFormats.IsDuration(value);
}
