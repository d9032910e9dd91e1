namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a deadline; fails the test naming what it waited for.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (!await condition())
            {
                await Task.Delay(50, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
        }
    }
}
