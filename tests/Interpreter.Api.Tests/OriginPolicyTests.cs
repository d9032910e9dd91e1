using Interpreter.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class OriginPolicyTests
{
    private static OriginPolicy Policy(string allowed) => new(Options.Create(new AccessOptions { AllowedOrigins = allowed }));

    [Theory]
    [InlineData("http://api.internal:50081", "http", "api.internal:50081", true)]
    [InlineData("http://API.internal:50081", "http", "api.internal:50081", true)]
    [InlineData("http://localhost", "http", "localhost:80", true)]
    [InlineData("https://api.internal", "http", "api.internal", false)]
    [InlineData("http://api.internal:50082", "http", "api.internal:50081", false)]
    [InlineData("https://evil.example", "http", "api.internal:50081", false)]
    [InlineData("null", "http", "api.internal:50081", false)]
    [InlineData("http://api.internal:50081/path", "http", "api.internal:50081", false)]
    public void Allows_OnlyTheOwnOrigin_WhenNoneConfigured(string origin, string scheme, string host, bool expected)
    {
        Policy("[]").Allows(origin, scheme, new HostString(host)).ShouldBe(expected);
    }

    [Fact]
    public void Allows_ConfiguredOrigins_WhenListed()
    {
        var policy = Policy("https://tools.example, http://localhost:3000");

        policy.Allows("https://tools.example", "http", new HostString("api:1")).ShouldBeTrue();
        policy.Allows("https://tools.example:443", "http", new HostString("api:1")).ShouldBeTrue();
        policy.Allows("http://localhost:3000", "http", new HostString("api:1")).ShouldBeTrue();
        policy.Allows("https://tools.example.evil", "http", new HostString("api:1")).ShouldBeFalse();
        policy.Allows("http://tools.example", "http", new HostString("api:1")).ShouldBeFalse();
    }

    [Fact]
    public void Allows_Everything_WhenStar()
    {
        Policy("*").Allows("null", "http", new HostString("api:1")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("tools.example")]
    [InlineData("https://tools.example/app")]
    [InlineData("ftp://tools.example")]
    [InlineData("https://user@tools.example")]
    public void Validator_NamesTheVariableAndEntry_WhenNotAnOrigin(string entry)
    {
        var result = new AccessOptionsValidator().Validate(null, new AccessOptions { AllowedOrigins = entry });

        result.Failed.ShouldBeTrue();
        (result.FailureMessage ?? "").ShouldContain($"APP_ALLOWED_ORIGINS entry '{entry}'");
    }
}
