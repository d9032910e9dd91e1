using Interpreter.Api.Features.Files;
using Interpreter.Executor.Execution;
using Interpreter.Storage;
using Interpreter.Storage.Metadata;

namespace Interpreter.Api.Features.Execute;

/// <summary>
/// Stores each file an execution created or changed as it streams out of the sandbox, registered to the chat
/// under its base name with the request's limits.
/// </summary>
internal sealed class OutputCollector(FileStore files, string chatId, DownloadLimits limits) : IOutputFileSink
{
    private readonly Dictionary<string, FileRecord> _stored = new(StringComparer.Ordinal);

    /// <summary>Stored outputs by workspace path.</summary>
    public IReadOnlyDictionary<string, FileRecord> Stored => _stored;

    private readonly List<string> _overQuota = [];

    /// <summary>What stderr must say about outputs left out (empty, or lines ending in a newline).</summary>
    public string StderrNotes => string.Concat(_overQuota.Select(note => note + "\n"));

    public async Task AcceptAsync(OutputFile file, Stream content, CancellationToken ct)
    {
        // Never more than the agent announced (and the executor checked against the output bounds).
        await using var staged = await files.StageAsync(content, file.Size, ct);
        var name = Path.GetFileName(file.Path);
        try
        {
            _stored[file.Path] = await files.SaveAsync(staged, new NewFile(chatId, name, ContentTypes.For(name), limits), ct);
        }
        catch (StorageQuotaExceededException quota)
        {
            _overQuota.Add($"{file.Path} was not stored: {quota.Message}");
        }
    }
}
