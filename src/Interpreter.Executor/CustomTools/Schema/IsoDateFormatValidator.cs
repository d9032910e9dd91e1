using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Interpreter.Executor.CustomTools.Schema;

/// <summary>Format <c>date</c>: an ISO 8601 date (YYYY-MM-DD), as the sandbox converts it (see <see cref="IsoFormats"/>).</summary>
internal sealed class IsoDateFormatValidator : IFormatValidator
{
    public string Format => "date";

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.DateExpected;

    public bool IsValid(string value, JTokenType tokenType) => IsoFormats.IsDate(value);
}
