using Interpreter.Api.Configuration;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class ExecuteRequestValidatorTests
{
    private static ExecuteRequestValidator Validator(bool requireChatId = true) =>
        new(Options.Create(new ApiOptions { RequireChatId = requireChatId }), Options.Create(new ExecutorOptions { MaxTimeoutSeconds = 120 }));

    [Fact]
    public void Validate_Passes_WhenRequestComplete()
    {
        var request = new ExecuteRequest
        {
            SourceCode = "print(1)",
            ChatId = "c1",
            Env = new() { ["A_1"] = "x" },
            Files = new() { ["/workspace/a.csv"] = new string('0', 64) },
            TimeoutSeconds = 120,
            MaxDownloads = 0,
        };

        Validator().Validate(request).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Validate_AllowsMissingChatId_WhenNotRequired()
    {
        Validator(requireChatId: false).Validate(new ExecuteRequest { SourceCode = "x" }).IsValid.ShouldBeTrue();
    }

    public static TheoryData<string, ExecuteRequest> Invalid => new()
    {
        { "chat_id is required", new ExecuteRequest { SourceCode = "x" } },
        { "source_code is required", new ExecuteRequest { ChatId = "c" } },
        { "between 1 and 120", new ExecuteRequest { SourceCode = "x", ChatId = "c", TimeoutSeconds = 121 } },
        { "env name 'A-B'", new ExecuteRequest { SourceCode = "x", ChatId = "c", Env = new() { ["A-B"] = "1" } } },
        { "files path '/tmp/x'", new ExecuteRequest { SourceCode = "x", ChatId = "c", Files = new() { ["/tmp/x"] = new string('0', 64) } } },
        { "SHA-256", new ExecuteRequest { SourceCode = "x", ChatId = "c", Files = new() { ["/workspace/x"] = new string('A', 64) } } },
        { "max_downloads", new ExecuteRequest { SourceCode = "x", ChatId = "c", MaxDownloads = -1 } },
        { "expires_days", new ExecuteRequest { SourceCode = "x", ChatId = "c", ExpiresDays = -1 } },
        {
            "files paths '/workspace/a' and '/workspace/a/b/c' conflict",
            new ExecuteRequest
            {
                SourceCode = "x", ChatId = "c",
                Files = new() { ["/workspace/a/b/c"] = new string('0', 64), ["/workspace/a"] = new string('1', 64) },
            }
        },
    };

    [Fact]
    public void Validate_Passes_WhenFilesShareFoldersOrAPrefixThatIsNoFolder()
    {
        var request = new ExecuteRequest
        {
            SourceCode = "x",
            ChatId = "c",
            Files = new()
            {
                ["/workspace/a/b"] = new string('0', 64),
                ["/workspace/a/c"] = new string('0', 64),
                ["/workspace/ab"] = new string('0', 64),
                ["/workspace/a-b/c"] = new string('0', 64),
            },
        };

        Validator().Validate(request).IsValid.ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_FailsWithMessage_WhenRuleBroken(string message, ExecuteRequest request)
    {
        var result = Validator().Validate(request);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.ErrorMessage.Contains(message));
    }
}
