using FastEndpoints;
using FluentValidation;
using Interpreter.Api.Configuration;
using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Execute.Run;

/// <summary>The rules API.md sets for <c>POST /v1/execute</c>.</summary>
internal sealed class ExecuteRequestValidator : Validator<ExecuteRequest>
{
    /// <summary>
    /// FastEndpoints' instance, one per process: the settings are read from the request's own host when a request is
    /// validated (a test process runs several hosts, each with its own settings).
    /// </summary>
    [ActivatorUtilitiesConstructor]
    public ExecuteRequestValidator()
        : this(null, null)
    {
    }

    /// <summary>An instance over one host's settings (the gRPC service's, from the container, and unit tests').</summary>
    public ExecuteRequestValidator(IOptions<ApiOptions>? api, IOptions<ExecutorOptions>? executor)
    {
        bool RequireChatId() => (api ?? Resolve<IOptions<ApiOptions>>()).Value.RequireChatId;
        int MaxTimeout() => (executor ?? Resolve<IOptions<ExecutorOptions>>()).Value.MaxTimeoutSeconds;
        string TimeoutRule() => $"timeout_seconds must be between 1 and {MaxTimeout()} (APP_EXECUTION_TIMEOUT_MAX).";

        RuleFor(r => r.SourceCode).NotEmpty().OverridePropertyName("source_code")
            .WithMessage("source_code is required and must not be empty.");

        RuleFor(r => r.ChatId).ValidChatId(RequireChatId);

        RuleFor(r => r.TimeoutSeconds)
            .GreaterThanOrEqualTo(1).WithMessage(_ => TimeoutRule())
            .Must(t => t <= MaxTimeout()).WithMessage(_ => TimeoutRule())
            .When(r => r.TimeoutSeconds is not null)
            .OverridePropertyName("timeout_seconds");

        RuleForEach(r => r.Env).Must(e => RequestRules.EnvName().IsMatch(e.Key)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env name '{e.Key}' must match ^[A-Za-z_][A-Za-z0-9_]*$.");
        RuleForEach(r => r.Env).Must(e => e.Value is not null && !e.Value.Contains('\0', StringComparison.Ordinal)).OverridePropertyName("env")
            .WithMessage((_, e) => $"env value of '{e.Key}' must be a string without NUL characters.");

        RuleForEach(r => r.Files).Must(f => RequestRules.IsWorkspacePath(f.Key)).OverridePropertyName("files")
            .WithMessage((_, f) => $"files path '{f.Key}' must be an absolute, normalised path under /workspace/ (no '..', no NUL, at most 4096 bytes).");
        RuleForEach(r => r.Files).Must(f => f.Value is not null && RequestRules.Sha256Hex().IsMatch(f.Value)).OverridePropertyName("files")
            .WithMessage((_, f) => $"files hash for '{f.Key}' must be a lowercase hex SHA-256 (64 characters).");

        RuleFor(r => r.Files).Custom((files, context) =>
        {
            if (files is not null && files.Keys.All(RequestRules.IsWorkspacePath)
                && WorkspacePaths.FirstConflict(files.Keys) is { } conflict)
            {
                context.AddFailure("files",
                    $"files paths '{conflict.File}' and '{conflict.Inside}' conflict: '{conflict.File}' cannot be a file and the folder of '{conflict.Inside}' at once.");
            }
        });

        RuleFor(r => r.MaxDownloads).ValidMaxDownloads();
        RuleFor(r => r.ExpiresDays).ValidExpiresDays();
        RuleFor(r => r.ExpiresSeconds).ValidExpiresSeconds();
    }
}
