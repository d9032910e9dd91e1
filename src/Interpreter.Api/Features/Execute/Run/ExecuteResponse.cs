using Interpreter.Api.Features.Files;

namespace Interpreter.Api.Features.Execute.Run;

/// <summary>Answer of <c>POST /v1/execute</c>.</summary>
public sealed record ExecuteResponse(
    string Stdout,
    string Stderr,
    int ExitCode,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyDictionary<string, FileMetadataResponse> FilesMetadata,
    string ChatId);
