using Interpreter.Api.Configuration;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("0.0.0.0:50081", "http://0.0.0.0:50081")]
    [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080")]
    [InlineData("[::]:50081", "http://[::]:50081")]
    [InlineData("localhost:9000", "http://localhost:9000")]
    public void ToListenUrl_BuildsKestrelUrl_WhenAddressValid(string address, string url)
    {
        AppConfigurationExtensions.ToListenUrl(address).ShouldBe(url);
    }

    [Theory]
    [InlineData("50081")]
    [InlineData("0.0.0.0")]
    [InlineData("0.0.0.0:http")]
    [InlineData("0.0.0.0:70000")]
    [InlineData("bad host:80")]
    public void ToListenUrl_ThrowsNamingVariable_WhenAddressInvalid(string address)
    {
        var error = Should.Throw<InvalidOperationException>(() => AppConfigurationExtensions.ToListenUrl(address));

        error.Message.ShouldContain("APP_HTTP_LISTEN_ADDR");
    }
}
