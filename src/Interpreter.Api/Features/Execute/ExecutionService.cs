using Interpreter.Api.Configuration;
using Interpreter.Api.Errors;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.Api.Features.Files;
using Interpreter.Executor.Configuration;
using Interpreter.Executor.Execution;
using Interpreter.Storage;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Execute;

/// <summary>
/// One <c>/v1/execute</c> call: resolves and leases the input files (the chat's own, its remembered workspace,
/// or blobs a co-located client copied in), runs the code with them, stores what it created or changed, and
/// remembers the workspace when asked to.
/// </summary>
internal sealed partial class ExecutionService(
    ICodeExecutor executor,
    FileStore files,
    IOptions<ApiOptions> api,
    IOptions<ExecutorOptions> executorOptions,
    ILogger<ExecutionService> logger)
{
    public async Task<ExecuteResponse> ExecuteAsync(ExecuteRequest request, CancellationToken ct)
    {
        var chatId = request.ChatId ?? RequestRules.DefaultChatId;
        var limits = new DownloadLimits(request.MaxDownloads, request.ExpiresDays, request.ExpiresSeconds);
        var persistent = request.PersistentWorkspace == true;
        var leased = new List<LeasedFile>();
        try
        {
            var placed = new Dictionary<string, LeasedFile>(StringComparer.Ordinal);
            if (persistent)
            {
                var remembered = await UsableWorkspaceAsync(chatId, request.Files ?? [], ct);
                foreach (var (path, hash) in remembered)
                {
                    if (await files.LeaseBlobAsync(hash, ct) is { } file)
                    {
                        leased.Add(file);
                        placed[path] = file;
                    }
                    else
                    {
                        LogWorkspaceBlobMissing(chatId, hash);
                    }
                }
            }

            foreach (var (path, hash) in request.Files ?? [])
            {
                var file = await LeaseInputAsync(request, chatId, path, hash, ct)
                    ?? throw new ApiProblemException(StatusCodes.Status404NotFound, "File not found",
                        $"File {hash} was not found for chat '{chatId}'.");
                leased.Add(file);
                placed[path] = file;
            }

            var outputs = new OutputCollector(files, chatId, limits);
            var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds ?? executorOptions.Value.DefaultTimeoutSeconds);
            ExecutionResult result;
            try
            {
                result = await executor.ExecuteAsync(
                    new ExecutionRequest(request.SourceCode!, request.Env ?? [], timeout)
                    {
                        InputFiles = placed.Select(p => new ExecutionInputFile(p.Key, p.Value.Size, p.Value.OpenRead)).ToArray(),
                        Outputs = outputs,
                        MaxOutputFileBytes = api.Value.FileSizeLimit.Bytes,
                        MaxOutputTotalBytes = executorOptions.Value.WorkspaceSizeLimit.Bytes,
                    },
                    ct);
            }
            catch (ExecutionInputException e) when (e.Refused)
            {
                // The request's (or the chat's) own paths: retrying cannot help, so no 503.
                throw new ApiProblemException(StatusCodes.Status400BadRequest, "Input file refused",
                    $"The input file '{e.Path}' could not be placed in the sandbox: {e.Message}");
            }

            if (persistent)
            {
                await files.SaveWorkspaceAsync(chatId, WorkspaceAfter(placed, result, outputs), limits, ct);
            }

            return new ExecuteResponse(
                result.Stdout,
                result.Stderr + (outputs.StderrNotes.Length > 0 && result.Stderr is [.., not '\n'] ? "\n" : "") + outputs.StderrNotes,
                result.ExitCode,
                outputs.Stored.ToDictionary(o => o.Key, o => o.Value.Hash, StringComparer.Ordinal),
                outputs.Stored.ToDictionary(o => o.Key, o => FileMetadataResponse.From(o.Value), StringComparer.Ordinal),
                chatId);
        }
        finally
        {
            foreach (var file in leased)
            {
                await file.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// What /workspace holds after the run, as far as it was stored: the inputs, less those the run deleted (or
    /// turned into a folder) and those it changed but that were left out (their old content is not what the run
    /// left), plus every stored output.
    /// </summary>
    private static Dictionary<string, string> WorkspaceAfter(
        Dictionary<string, LeasedFile> placed, ExecutionResult result, OutputCollector outputs)
    {
        var workspace = placed.ToDictionary(p => p.Key, p => p.Value.Hash, StringComparer.Ordinal);
        foreach (var path in result.DeletedFiles)
        {
            workspace.Remove(path);
        }

        foreach (var file in result.ChangedFiles)
        {
            if (!outputs.Stored.ContainsKey(file.Path))
            {
                workspace.Remove(file.Path);
            }
        }

        foreach (var (path, file) in outputs.Stored)
        {
            workspace[path] = file.Hash;
        }

        return workspace;
    }

    /// <summary>
    /// The chat's remembered workspace without the entries that cannot be placed: those the explicit files
    /// replace or conflict with (explicit files win), and, of two remembered entries where one is the folder of
    /// the other (left by releases that did not follow deletions), the older.
    /// </summary>
    private async Task<Dictionary<string, string>> UsableWorkspaceAsync(
        string chatId, IReadOnlyDictionary<string, string> explicitFiles, CancellationToken ct)
    {
        var remembered = new Dictionary<string, string>(await files.GetWorkspaceAsync(chatId, ct), StringComparer.Ordinal);
        foreach (var path in remembered.Keys.ToArray())
        {
            if (explicitFiles.ContainsKey(path))
            {
                remembered.Remove(path);
            }
            else if (WorkspacePaths.FileAbove(path, explicitFiles.ContainsKey) is not null)
            {
                LogWorkspaceEntryDropped(chatId, remembered[path]);
                remembered.Remove(path);
            }
        }

        foreach (var path in explicitFiles.Keys)
        {
            foreach (var inside in remembered.Keys.Where(p => p.StartsWith(path + "/", StringComparison.Ordinal)).ToArray())
            {
                LogWorkspaceEntryDropped(chatId, remembered[inside]);
                remembered.Remove(inside);
            }
        }

        var storedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (WorkspacePaths.FirstConflict(remembered.Keys) is { } conflict)
        {
            var fileAt = await StoredAtAsync(conflict.File);
            var insideAt = await StoredAtAsync(conflict.Inside);
            var older = fileAt <= insideAt ? conflict.File : conflict.Inside;
            LogWorkspaceEntryDropped(chatId, remembered[older]);
            remembered.Remove(older);
        }

        return remembered;

        async Task<DateTimeOffset> StoredAtAsync(string path)
        {
            if (!storedAt.TryGetValue(path, out var at))
            {
                at = await files.WorkspaceEntryStoredAtAsync(chatId, remembered[path], ct) ?? DateTimeOffset.MinValue;
                storedAt[path] = at;
            }

            return at;
        }
    }

    private async Task<LeasedFile?> LeaseInputAsync(
        ExecuteRequest request, string chatId, string path, string hash, CancellationToken ct)
    {
        if (await files.LeaseOwnedAsync(chatId, hash, ct) is { } owned)
        {
            return owned;
        }

        // Clients sharing the storage folder copy blobs in themselves and send no chat_id (API.md, storage layout).
        if (request.ChatId is null && !api.Value.RequireChatId)
        {
            var name = Path.GetFileName(path);
            return await files.AdoptUnregisteredAsync(hash, new NewFile(chatId, name, ContentTypes.For(name), DownloadLimits.Default), ct);
        }

        return null;
    }

    // Paths are not logged (they are the user's); the hash tells an operator which entry went.
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Chat {ChatId}'s remembered workspace entry of blob {Hash} is dropped: one of its paths is the folder of the other, and the other is newer or given explicitly")]
    private partial void LogWorkspaceEntryDropped(string chatId, string hash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat {ChatId}'s workspace names blob {Hash}, which is gone; left out")]
    private partial void LogWorkspaceBlobMissing(string chatId, string hash);
}
