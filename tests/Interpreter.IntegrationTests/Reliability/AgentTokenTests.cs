using Interpreter.Executor.Agent;
using Interpreter.Executor.Pool;
using Interpreter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// A real sandbox's agent obeys only callers that carry that sandbox's own token: anything else that reaches it
/// (on Kubernetes, another pod where NetworkPolicy is not enforced) can neither run code nor plant files in it.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AgentTokenTests(DockerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Agent_RefusesExecuteAndFiles_WhenTokenMissingOrWrong()
    {
        var backend = fixture.Api.Services.GetRequiredService<ISandboxBackend>();
        var agents = fixture.Api.Services.GetRequiredService<AgentConnector>();
        var sandbox = await fixture.Api.Services.GetRequiredService<SandboxStarter>().StartAsync(Ct);
        try
        {
            var anonymous = agents.For(sandbox.Agent with { Token = null });
            var guessing = agents.For(sandbox.Agent with { Token = AgentEndpoint.NewToken() });
            var owner = agents.For(sandbox.Agent);
            var request = new AgentExecuteRequest("print('ran')", new Dictionary<string, string>(), 10);

            var execute = await Should.ThrowAsync<AgentUnavailableException>(
                () => anonymous.ExecuteAsync(request, TimeSpan.FromSeconds(30), Ct));
            using var planted = new MemoryStream("x"u8.ToArray());
            var put = await Should.ThrowAsync<AgentUnavailableException>(
                () => guessing.PutFileAsync("/workspace/planted.txt", planted, 1, TimeSpan.FromSeconds(30), Ct));
            var healthWithoutToken = await anonymous.IsHealthyAsync(TimeSpan.FromSeconds(5), Ct);
            var result = await owner.ExecuteAsync(
                new AgentExecuteRequest("import os; print(os.path.exists('/workspace/planted.txt'))", new Dictionary<string, string>(), 10),
                TimeSpan.FromSeconds(30), Ct);

            execute.Message.ShouldContain("401");
            put.Message.ShouldContain("401");
            healthWithoutToken.ShouldBeTrue("the readiness probe carries no token");
            result.Stdout.ShouldBe("False\n");
        }
        finally
        {
            await backend.DestroyAsync(sandbox, Ct);
        }
    }
}
