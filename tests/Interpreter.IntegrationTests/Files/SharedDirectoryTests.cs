using System.Net;
using System.Security.Cryptography;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Files;

/// <summary>
/// Exactly what a framework sharing the storage folder does (BeeAI's LocalPythonStorage + PythonTool): copy the
/// input in as &lt;storage&gt;/&lt;sha256&gt;, execute with no chat_id, read outputs from &lt;storage&gt;/&lt;hash&gt;.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SharedDirectoryTests(SharedDirectoryFixture fixture) : IClassFixture<SharedDirectoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Storage => fixture.Api.StoragePath;

    [Fact]
    public async Task Execute_UsesACopiedInBlob_AndLeavesOutputsInTheFolder_WhenNoChatId()
    {
        var input = Encoding.UTF8.GetBytes("shared directory " + Guid.NewGuid());
        var inputHash = Convert.ToHexStringLower(SHA256.HashData(input));
        Directory.CreateDirectory(Storage);
        await File.WriteAllBytesAsync(Path.Combine(Storage, inputHash), input, Ct);

        var result = await fixture.Client.ExecuteWithAsync(new
        {
            source_code = "data = open('/workspace/input.txt').read()\nopen('/workspace/output.txt', 'w').write(data.upper())\nprint(len(data))",
            files = new Dictionary<string, string> { ["/workspace/input.txt"] = inputHash },
        }, Ct);

        result.ChatId.ShouldBe("default");
        result.Stdout.ShouldBe($"{input.Length}\n");
        var outputHash = result.Files["/workspace/output.txt"];
        var output = await File.ReadAllBytesAsync(Path.Combine(Storage, outputHash), Ct);
        Encoding.UTF8.GetString(output).ShouldBe(Encoding.UTF8.GetString(input).ToUpperInvariant());
        outputHash.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(output)));
        Directory.GetFiles(Storage).Select(Path.GetFileName).ShouldAllBe(name => name!.Length == 64);
    }

    [Fact]
    public async Task Execute_Answers404NamingTheHash_WhenCopiedInBytesDoNotMatchTheName()
    {
        var claimed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("what the name promises " + Guid.NewGuid())));
        Directory.CreateDirectory(Storage);
        await File.WriteAllBytesAsync(Path.Combine(Storage, claimed), Encoding.UTF8.GetBytes("something else"), Ct);

        var (status, body) = await fixture.Client.PostExecuteAsync(new
        {
            source_code = "print(open('/workspace/input.txt').read())",
            files = new Dictionary<string, string> { ["/workspace/input.txt"] = claimed },
        }, Ct);

        status.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldContain(claimed);
    }
}
