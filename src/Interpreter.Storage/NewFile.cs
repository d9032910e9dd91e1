namespace Interpreter.Storage;

/// <summary>What to register a stored blob as: owner, file name, content type and limits.</summary>
public sealed record NewFile(string ChatId, string Filename, string ContentType, DownloadLimits Limits);
