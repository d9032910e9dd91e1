namespace Interpreter.Storage.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or the time is up (then fails the test).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"the condition did not hold within {timeout}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }
}
