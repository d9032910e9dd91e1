using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>Format <c>date-time</c>: an ISO 8601 date-time, as the sandbox converts it (see <see cref="IsoFormats"/>).</summary>
internal sealed class IsoDateTimeFormatValidator : IFormatValidator
{
    public string Format => "date-time";

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.DateTimeExpected;

    public bool IsValid(string value, JTokenType tokenType) => IsoFormats.IsDateTime(value);
}
