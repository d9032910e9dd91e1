using System.Net;
using Interpreter.Api.Access;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class SpawnAccessPolicyTests
{
    private static SpawnAccessPolicy Policy(string? ips = null, string? hosts = null, string? proxies = null, bool open = false) =>
        new(Options.Create(new AccessOptions
        {
            InternalIpAllowlist = ips ?? "[]",
            InternalHostAllowlist = hosts ?? "[]",
            TrustedProxies = proxies ?? "[]",
            PublicSpawnEnabled = open,
        }));

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.1.2.3", false)]
    [InlineData("192.168.1.5", "192.168.1.5", true)]
    [InlineData("192.168.1.5", "192.168.1.6", false)]
    [InlineData("[\"10.0.0.0/8\", \"172.16.0.0/12\"]", "172.20.0.1", true)]
    [InlineData("10.0.0.0/8, 172.16.0.0/12", "172.20.0.1", true)]
    [InlineData("fd00::/8", "fd12::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.9.9.9", true)]
    [InlineData("", "127.0.0.1", false)]
    [InlineData("", "::1", false)]
    public void Allows_DecidesByClientAddress_WhenNoProxy(string allowlist, string peer, bool expected)
    {
        var allowed = Policy(ips: allowlist).Allows(IPAddress.Parse(peer), null, "api.local");

        allowed.ShouldBe(expected);
    }

    [Theory]
    [InlineData("internal.svc", "internal.svc", true)]
    [InlineData("internal.svc", "INTERNAL.svc:50081", true)]
    [InlineData("internal.svc", "internal.svc.", true)]
    [InlineData("internal.svc", "evil.svc", false)]
    [InlineData("[\"::1\"]", "[::1]:8080", true)]
    [InlineData("internal.svc", null, false)]
    public void Allows_DecidesByHost_WhenAddressNotAllowed(string hosts, string? host, bool expected)
    {
        var allowed = Policy(hosts: hosts).Allows(IPAddress.Parse("203.0.113.9"), null, host);

        allowed.ShouldBe(expected);
    }

    [Fact]
    public void Allows_IgnoresForwardedFor_WhenPeerNotTrusted()
    {
        var policy = Policy(ips: "10.0.0.0/8");

        policy.Allows(IPAddress.Parse("203.0.113.9"), "10.1.1.1", "api").ShouldBeFalse();
    }

    [Theory]
    [InlineData("10.1.1.1", true)]
    [InlineData("203.0.113.7, 10.1.1.1", true)]
    [InlineData("10.1.1.1, 203.0.113.7", false)]
    [InlineData("10.1.1.1, 192.168.0.2", true)]
    [InlineData("[fd00::5]:443", false)]
    [InlineData("not-an-address", false)]
    public void Allows_UsesRightmostUntrustedHop_WhenPeerIsTrustedProxy(string forwardedFor, bool expected)
    {
        var policy = Policy(ips: "10.0.0.0/8", proxies: "192.168.0.0/16");

        policy.Allows(IPAddress.Parse("192.168.0.1"), forwardedFor, "api").ShouldBe(expected);
    }

    [Fact]
    public void Allows_Everything_WhenPublicSpawnEnabled()
    {
        Policy(open: true).Allows(IPAddress.Parse("203.0.113.9"), null, null).ShouldBeTrue();
    }

    [Fact]
    public void Validator_NamesEntryAndVariable_WhenEntryInvalid()
    {
        var result = new AccessOptionsValidator().Validate(null, new AccessOptions
        {
            InternalIpAllowlist = "10.0.0.0/8, 10.0.0.300",
            TrustedProxies = "[\"proxy-without-ip\"]",
            InternalHostAllowlist = "good.host, bad host",
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("APP_INTERNAL_IP_ALLOWLIST entry '10.0.0.300'");
        result.FailureMessage.ShouldContain("APP_TRUSTED_PROXIES entry 'proxy-without-ip'");
        result.FailureMessage.ShouldContain("APP_INTERNAL_HOST_ALLOWLIST entry 'bad host'");
    }
}
