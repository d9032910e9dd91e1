using FastEndpoints;
using FluentValidation;

namespace Interpreter.Api.Features.CustomTools.ExecuteCustomTool;

/// <summary>The rules API.md sets for <c>POST /v1/execute-custom-tool</c>.</summary>
internal sealed class ExecuteCustomToolRequestValidator : Validator<ExecuteCustomToolRequest>
{
    public ExecuteCustomToolRequestValidator()
    {
        RuleFor(r => r.ToolSourceCode).NotEmpty().OverridePropertyName("tool_source_code")
            .WithMessage("tool_source_code is required and must not be empty.");
        RuleFor(r => r.ChatId).ValidChatId(() => false);
        RuleForEach(r => r.Env).Must(e => RequestRules.EnvName().IsMatch(e.Key)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env name '{e.Key}' must match ^[A-Za-z_][A-Za-z0-9_]*$.");
        RuleForEach(r => r.Env).Must(e => e.Value is not null && !e.Value.Contains('\0', StringComparison.Ordinal)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env value of '{e.Key}' must be a string without NUL characters.");
    }
}
