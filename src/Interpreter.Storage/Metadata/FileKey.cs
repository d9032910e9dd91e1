namespace Interpreter.Storage.Metadata;

/// <summary>What identifies one stored file: the owning chat, the content's hash and the file's name.</summary>
public sealed record FileKey(string ChatId, string Hash, string Filename);
