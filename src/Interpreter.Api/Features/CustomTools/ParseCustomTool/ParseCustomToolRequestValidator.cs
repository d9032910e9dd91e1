using FastEndpoints;
using FluentValidation;

namespace Interpreter.Api.Features.CustomTools.ParseCustomTool;

/// <summary>The rules API.md sets for <c>POST /v1/parse-custom-tool</c>.</summary>
internal sealed class ParseCustomToolRequestValidator : Validator<ParseCustomToolRequest>
{
    public ParseCustomToolRequestValidator()
    {
        RuleFor(r => r.ToolSourceCode).NotEmpty().OverridePropertyName("tool_source_code")
            .WithMessage("tool_source_code is required and must not be empty.");
        RuleFor(r => r.ChatId).ValidChatId(() => false);
    }
}
