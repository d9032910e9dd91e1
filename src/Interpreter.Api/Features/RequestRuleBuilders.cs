using FluentValidation;

namespace Interpreter.Api.Features;

/// <summary>The field rules API.md repeats on several endpoints, written once with their messages.</summary>
internal static class RequestRuleBuilders
{
    /// <summary>chat_id: the pattern whenever present; also present unless <paramref name="required"/> says otherwise.</summary>
    public static IRuleBuilderOptions<T, string?> ValidChatId<T>(this IRuleBuilder<T, string?> rule, Func<bool> required) =>
        rule.Matches(RequestRules.ChatId())
            .WithMessage("chat_id must be 1-255 characters of A-Z, a-z, 0-9, '_' or '-'.")
            .NotEmpty().When(_ => required(), ApplyConditionTo.CurrentValidator)
            .WithMessage("chat_id is required (APP_REQUIRE_CHAT_ID=true).")
            .OverridePropertyName("chat_id");

    /// <summary>max_downloads: an integer >= 0 (0 = unlimited).</summary>
    public static IRuleBuilderOptions<T, long?> ValidMaxDownloads<T>(this IRuleBuilder<T, long?> rule) =>
        rule.GreaterThanOrEqualTo(0).OverridePropertyName("max_downloads")
            .WithMessage("max_downloads must be an integer >= 0 (0 = unlimited).");

    /// <summary>expires_days: 0..36500.</summary>
    public static IRuleBuilderOptions<T, long?> ValidExpiresDays<T>(this IRuleBuilder<T, long?> rule) =>
        rule.InclusiveBetween(0, 36_500).OverridePropertyName("expires_days")
            .WithMessage("expires_days must be an integer between 0 and 36500.");

    /// <summary>expires_seconds: 0..100 years of seconds.</summary>
    public static IRuleBuilderOptions<T, long?> ValidExpiresSeconds<T>(this IRuleBuilder<T, long?> rule) =>
        rule.InclusiveBetween(0, 36_500L * 86_400).OverridePropertyName("expires_seconds")
            .WithMessage("expires_seconds must be an integer between 0 and 3153600000.");
}
