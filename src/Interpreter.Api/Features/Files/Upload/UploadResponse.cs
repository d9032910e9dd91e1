namespace Interpreter.Api.Features.Files.Upload;

/// <summary>Answer of <c>POST /v1/upload</c>.</summary>
public sealed record UploadResponse(string FileHash, string Filename, string ChatId, FileMetadataResponse Metadata);
