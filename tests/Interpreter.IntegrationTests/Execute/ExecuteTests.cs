using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Execute;

/// <summary>POST /v1/execute against real Docker sandboxes: the shared tests plus the Docker hardening ones.</summary>
[Collection(DockerCollection.Name)]
public sealed class ExecuteTests(DockerFixture fixture) : ExecuteTestsBase
{
    protected override HttpClient Client => fixture.Client;

    protected override async Task<bool> SandboxExistsAsync(string hostname, CancellationToken ct)
    {
        // A Docker sandbox's hostname is its container id (12 characters).
        hostname.Length.ShouldBe(12);
        return await fixture.Docker.InspectAsync(hostname, ct) is not null;
    }

    [Fact]
    public async Task Execute_ContainsForkBomb_WhenCodeForksWithoutEnd()
    {
        const string code = """
            import os, time
            children = 0
            try:
                while True:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    children += 1
            except OSError as e:
                print("fork refused after", children, "children:", e.strerror)
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct, timeoutSeconds: 20);

        result.ExitCode.ShouldBe(0);
        result.Stdout.ShouldStartWith("fork refused after");
        var children = int.Parse(result.Stdout.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        children.ShouldBeLessThan(128);
        var next = await fixture.Client.ExecuteAsync("print('alive')", Ct);
        next.Stdout.ShouldBe("alive\n");
    }

    [Fact]
    public async Task Execute_HasNoNetwork_WhenCodeConnects()
    {
        const string code = """
            import socket
            print(sorted(name for _, name in socket.if_nameindex()))
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=3)
                print("connected")
            except OSError as e:
                print("connect failed")
            try:
                socket.getaddrinfo("example.com", 80)
                print("resolved")
            except OSError:
                print("dns failed")
            """;

        var result = await fixture.Client.ExecuteAsync(code, Ct, timeoutSeconds: 20);

        result.Stdout.ShouldBe("['lo']\nconnect failed\ndns failed\n");
    }

    [Fact]
    public async Task Execute_AllSucceed_When20RequestsRunConcurrently()
    {
        var calls = Enumerable.Range(0, 20)
            .Select(i => fixture.Client.ExecuteAsync($"print({i} * 2)", Ct, timeoutSeconds: 60))
            .ToArray();

        var results = await Task.WhenAll(calls);

        for (var i = 0; i < results.Length; i++)
        {
            results[i].ExitCode.ShouldBe(0);
            results[i].Stdout.ShouldBe($"{i * 2}\n");
        }
    }
}
