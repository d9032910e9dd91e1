using Interpreter.Api.Connections;
using Shouldly;

namespace Interpreter.Api.Tests;

/// <summary>The connection caps must leave the service its own descriptors and agree with each other.</summary>
public sealed class ConnectionOptionsValidatorTests
{
    [Theory]
    [InlineData(4096, 256, 20000L, true)]
    [InlineData(4096, 256, null, true)]
    [InlineData(18976, 256, 20000L, true)]
    [InlineData(18977, 256, 20000L, false)]
    [InlineData(4096, 256, 1024L, false)]
    [InlineData(0, 1, 20000L, false)]
    [InlineData(100, 0, 20000L, false)]
    [InlineData(100, 101, 20000L, false)]
    public void Validate_AcceptsOnlyCapsThatFitTheDescriptorBudget_WhenChecked(int total, int perClient, long? descriptors, bool valid)
    {
        var validator = new ConnectionOptionsValidator(new FixedLimit(descriptors));

        var result = validator.Validate(null, new ConnectionOptions { MaxConnections = total, MaxConnectionsPerClient = perClient });

        result.Succeeded.ShouldBe(valid, result.FailureMessage);
        if (!valid)
        {
            (result.FailureMessage ?? "").ShouldContain("APP_MAX_CONNECTIONS");
        }
    }

    [Fact]
    public void Validate_NamesTheLimitAndHowToRaiseIt_WhenTheCapDoesNotFit()
    {
        var validator = new ConnectionOptionsValidator(new FixedLimit(2048));

        var result = validator.Validate(null, new ConnectionOptions { MaxConnections = 4096, MaxConnectionsPerClient = 256 });

        (result.FailureMessage ?? "").ShouldContain("may open only 2048");
        (result.FailureMessage ?? "").ShouldContain("ulimit -n");
    }

    [Fact]
    public void ProcOpenFileLimit_ReadsThisProcessesSoftLimit_WhenOnLinux()
    {
        var limit = new ProcOpenFileLimit().Current();

        limit.ShouldNotBeNull();
        limit.Value.ShouldBeGreaterThan(0);
    }

    private sealed class FixedLimit(long? value) : IOpenFileLimit
    {
        public long? Current() => value;
    }
}
