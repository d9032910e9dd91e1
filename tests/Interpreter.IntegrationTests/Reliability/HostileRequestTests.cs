using System.Collections.Concurrent;
using System.Net;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// Hundreds of hostile requests (<see cref="HostileRequestCases"/>) against the real API on real Kestrel with a real
/// Docker pool, each written byte for byte on its own connection: every one is answered with a 4xx in the endpoint's
/// error shape whose message names the problem (a client that half-closes mid-body may instead see the connection
/// closed), never a 5xx; after each the server is alive and nothing was written outside the storage folder. Requests
/// that break HTTP itself (<see cref="ProtocolErrorCases"/>) get Kestrel's own refusal. Finally all of them at once,
/// after which the pool holds nothing, execute works and chat A's file is intact.
/// </summary>
public sealed class HostileRequestTests(HostileRequestFixture fixture) : IClassFixture<HostileRequestFixture>
{
    // A body that never arrives is given up by Kestrel after its minimum-data-rate grace period (5 s by default).
    private static readonly TimeSpan StallPatience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static IEnumerable<TheoryDataRow<string>> CaseNames =>
        HostileRequestCases.All.Keys.Select(name => new TheoryDataRow<string>(name) { TestDisplayName = name });

    public static IEnumerable<TheoryDataRow<string>> ProtocolCaseNames =>
        ProtocolErrorCases.All.Keys.Select(name => new TheoryDataRow<string>(name) { TestDisplayName = name });

    [Fact]
    public void Cases_AreAtLeastTwoHundred_WhenGenerated()
    {
        var cases = HostileRequestCases.All.Values.ToList();

        cases.Count.ShouldBeGreaterThanOrEqualTo(200);
        cases.SelectMany(c => c.Statuses).ShouldAllBe(status => status >= 400 && status < 500);
        cases.Select(c => c.Target).Distinct().Count().ShouldBeGreaterThan(6);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Request_Answers4xxWithMessage_WhenHostile(string name)
    {
        var request = HostileRequestCases.All[name];

        var response = await SendAsync(request);

        TestContext.Current.TestOutputHelper?.WriteLine($"{request.Name} -> {response} {string.Join("; ", response.Headers.Select(h => $"{h.Key}: {h.Value}"))}");
        Verdict(request, response).ShouldBeNull();
        using var health = await fixture.Client.GetAsync("/healthz", Ct);
        health.StatusCode.ShouldBe(HttpStatusCode.OK, "the server must stay alive");
        await fixture.AssertNothingWrittenOutsideStorageAsync(Ct);
    }

    [Theory]
    [MemberData(nameof(ProtocolCaseNames))]
    public async Task Request_IsRefusedBeforeTheApi_WhenItBreaksHttp(string name)
    {
        var request = ProtocolErrorCases.All[name];

        var response = await SendAsync(request);

        TestContext.Current.TestOutputHelper?.WriteLine($"{request.Name} -> {response}");
        if (response.Status is { } status)
        {
            request.Statuses.ShouldContain(status, response.ToString());
        }
        else
        {
            request.MayGoUnanswered.ShouldBeTrue(response.ToString());
        }

        using var health = await fixture.Client.GetAsync("/healthz", Ct);
        health.StatusCode.ShouldBe(HttpStatusCode.OK, "the server must stay alive");
    }

    [Fact]
    public async Task Server_ExecutesAndServesFiles_WhenEveryHostileRequestArrivesAtOnce()
    {
        var failures = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(HostileRequestCases.All.Values.Concat(ProtocolErrorCases.All.Values), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct },
            async (request, _) =>
            {
                var response = await SendAsync(request);
                var expected = response.Status is { } status
                    ? request.Statuses.Contains(status) || status is >= 400 and < 500
                    : request.MayGoUnanswered;
                if (!expected)
                {
                    failures.Add($"{request.Name}: {response}");
                }
            });

        failures.ShouldBeEmpty();
        await Eventually.TrueAsync(() => Task.FromResult(fixture.Api.Pool.Snapshot.InUse == 0), TimeSpan.FromSeconds(30),
            "no sandbox to be held by a hostile request", Ct);
        using var health = await fixture.Client.GetAsync("/healthz", Ct);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        var run = await fixture.Client.ExecuteAsync("print('still serving')", Ct);
        run.Stdout.ShouldBe("still serving\n");
        var file = await fixture.Client.DownloadBytesAsync(HostileRequestCases.ChatA, HostileRequestCases.HashA, HostileRequestCases.FileAName, Ct);
        file.ShouldBe(HostileRequestCases.FileA);
        await fixture.AssertNothingWrittenOutsideStorageAsync(Ct);
    }

    private Task<RawHttpResponse> SendAsync(HostileRequestCase request) =>
        RawHttpClient.SendAsync(fixture.Port, request, request.Delivery == BodyDelivery.Stall ? StallPatience : Patience, Ct);

    /// <summary>Null when the answer is what the case demands, else what is wrong with it.</summary>
    private static string? Verdict(HostileRequestCase request, RawHttpResponse response)
    {
        if (response.Status is not { } status)
        {
            return request.MayGoUnanswered ? null : $"no answer: {response}";
        }

        if (status is < 400 or >= 500 || !request.Statuses.Contains(status))
        {
            return $"expected {string.Join(" or ", request.Statuses)}, got {response}";
        }

        var mediaType = response.ContentType?.Split(';')[0].Trim();
        if (mediaType != HostileAnswer.ExpectedMediaType(request, status))
        {
            return $"expected {HostileAnswer.ExpectedMediaType(request, status)}, got {response}";
        }

        var message = HostileAnswer.MessageOf(request, response);
        if (message is null)
        {
            return $"the answer carries no message: {response}";
        }

        return request.Mention is { } mention && !message.Contains(mention, StringComparison.OrdinalIgnoreCase)
            ? $"the message does not name '{mention}': {message}"
            : null;
    }
}
