using FluentValidation;
using Interpreter.Api.Configuration;
using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Execute;

/// <summary>The rules API.md sets for <c>POST /v1/execute</c>.</summary>
internal sealed class ExecuteRequestValidator : AbstractValidator<ExecuteRequest>
{
    public ExecuteRequestValidator(IOptions<ApiOptions> api, IOptions<ExecutorOptions> executor)
    {
        var maxTimeout = executor.Value.MaxTimeoutSeconds;

        RuleFor(r => r.SourceCode).NotEmpty().OverridePropertyName("source_code")
            .WithMessage("source_code is required and must not be empty.");

        RuleFor(r => r.ChatId).NotEmpty().When(_ => api.Value.RequireChatId).OverridePropertyName("chat_id")
            .WithMessage("chat_id is required (APP_REQUIRE_CHAT_ID=true).");
        RuleFor(r => r.ChatId).Matches(RequestRules.ChatId()).When(r => r.ChatId is not null).OverridePropertyName("chat_id")
            .WithMessage("chat_id must be 1-255 characters of A-Z, a-z, 0-9, '_' or '-'.");

        RuleFor(r => r.TimeoutSeconds).InclusiveBetween(1, maxTimeout).When(r => r.TimeoutSeconds is not null)
            .OverridePropertyName("timeout_seconds")
            .WithMessage($"timeout_seconds must be between 1 and {maxTimeout} (APP_EXECUTION_TIMEOUT_MAX).");

        RuleForEach(r => r.Env).Must(e => RequestRules.EnvName().IsMatch(e.Key)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env name '{e.Key}' must match ^[A-Za-z_][A-Za-z0-9_]*$.");
        RuleForEach(r => r.Env).Must(e => e.Value is not null && !e.Value.Contains('\0', StringComparison.Ordinal)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env value of '{e.Key}' must be a string without NUL characters.");

        RuleForEach(r => r.Files).Must(f => RequestRules.IsWorkspacePath(f.Key)).OverridePropertyName("files")
            .WithMessage((_, f) => $"files path '{f.Key}' must be an absolute, normalised path under /workspace/ (no '..', no NUL, at most 4096 bytes).");
        RuleForEach(r => r.Files).Must(f => f.Value is not null && RequestRules.Sha256Hex().IsMatch(f.Value)).OverridePropertyName("files")
            .WithMessage((_, f) => $"files hash for '{f.Key}' must be a lowercase hex SHA-256 (64 characters).");

        RuleFor(r => r.MaxDownloads).GreaterThanOrEqualTo(0).OverridePropertyName("max_downloads")
            .WithMessage("max_downloads must be an integer >= 0 (0 = unlimited).");
        RuleFor(r => r.ExpiresDays).InclusiveBetween(0, 36_500).OverridePropertyName("expires_days")
            .WithMessage("expires_days must be an integer between 0 and 36500.");
        RuleFor(r => r.ExpiresSeconds).InclusiveBetween(0, 36_500L * 86_400).OverridePropertyName("expires_seconds")
            .WithMessage("expires_seconds must be an integer between 0 and 3153600000.");
    }
}
