using System.ComponentModel;
using System.Globalization;

namespace Interpreter.Executor.Configuration;

/// <summary>Lets the configuration binder turn <c>1Gi</c> into a <see cref="ByteSize"/>.</summary>
public sealed class ByteSizeConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? ByteSize.Parse(text) : base.ConvertFrom(context, culture, value);
}
