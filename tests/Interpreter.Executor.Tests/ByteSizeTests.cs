using Interpreter.Executor.Configuration;
using Shouldly;

namespace Interpreter.Executor.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("512Mi", 536870912L)]
    [InlineData("64M", 64000000L)]
    [InlineData("1k", 1000L)]
    [InlineData("2Ki", 2048L)]
    [InlineData("1048576", 1048576L)]
    [InlineData(" 3Ti ", 3298534883328L)]
    public void Parse_ReturnsBytes_WhenQuantityValid(string text, long bytes)
    {
        var size = ByteSize.Parse(text);

        size.Bytes.ShouldBe(bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.5Gi")]
    [InlineData("-1Mi")]
    [InlineData("10Xi")]
    [InlineData("99999999999Ti")]
    public void TryParse_ReturnsFalse_WhenTextIsNotASize(string text)
    {
        var ok = ByteSize.TryParse(text, out _);

        ok.ShouldBeFalse();
    }

    [Fact]
    public void Parse_ThrowsNamingForms_WhenInvalid()
    {
        var error = Should.Throw<FormatException>(() => ByteSize.Parse("lots"));

        error.Message.ShouldContain("'lots'");
        error.Message.ShouldContain("1Gi");
    }

    [Theory]
    [InlineData(1073741824L, "1Gi")]
    [InlineData(536870912L, "512Mi")]
    [InlineData(1000L, "1000")]
    public void ToString_WritesKubernetesQuantity_WhenCalled(long bytes, string text)
    {
        new ByteSize(bytes).ToString().ShouldBe(text);
    }
}
