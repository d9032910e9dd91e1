namespace Interpreter.Api.Features.Execute.Run;

/// <summary>Body of <c>POST /v1/execute</c> (snake_case on the wire).</summary>
public sealed record ExecuteRequest
{
    /// <summary>Python source to run.</summary>
    public string? SourceCode { get; init; }

    /// <summary>Files to place in the sandbox first: absolute /workspace path -> SHA-256.</summary>
    public Dictionary<string, string>? Files { get; init; }

    /// <summary>Environment variables for the code.</summary>
    public Dictionary<string, string>? Env { get; init; }

    /// <summary>Owner of the files this execution reads and writes.</summary>
    public string? ChatId { get; init; }

    /// <summary>Carry this chat's workspace into its next persistent execution.</summary>
    public bool? PersistentWorkspace { get; init; }

    /// <summary>Downloads allowed for each output file (0 = unlimited).</summary>
    public long? MaxDownloads { get; init; }

    /// <summary>Days until output files expire.</summary>
    public long? ExpiresDays { get; init; }

    /// <summary>Seconds until output files expire (added to <see cref="ExpiresDays"/>).</summary>
    public long? ExpiresSeconds { get; init; }

    /// <summary>Wall-clock limit in seconds, 1..APP_EXECUTION_TIMEOUT_MAX.</summary>
    public int? TimeoutSeconds { get; init; }
}
