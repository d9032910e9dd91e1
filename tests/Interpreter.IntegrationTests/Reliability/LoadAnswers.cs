using System.Collections.Concurrent;
using System.Net;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// What the clients of a load test were answered, by the contract under load: a 200, or a 503 with Retry-After
/// (counted as rejected); anything else is a failure, kept with the client's tag for the test's message.
/// </summary>
internal sealed class LoadAnswers
{
    private readonly ConcurrentQueue<string> _failures = new();
    private int _rejected;

    public IReadOnlyCollection<string> Failures => _failures;

    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>The first failures, one a line.</summary>
    public string FirstFailures => string.Join("\n", _failures.Take(10));

    public void Fail(string tag, string what) => _failures.Enqueue($"{tag}: {what}");

    /// <summary>True for a 200; a 503 with Retry-After is counted; anything else is a failure.</summary>
    public async Task<bool> IsOkAsync(HttpResponseMessage response, string tag, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        Fail(tag, $"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {body}");
        return false;
    }
}
