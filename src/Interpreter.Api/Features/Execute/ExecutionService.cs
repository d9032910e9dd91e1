using Interpreter.Api.Configuration;
using Interpreter.Api.Errors;
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
                foreach (var (path, hash) in await files.GetWorkspaceAsync(chatId, ct))
                {
                    if (request.Files?.ContainsKey(path) == true)
                    {
                        continue;
                    }

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
            var result = await executor.ExecuteAsync(
                new ExecutionRequest(request.SourceCode!, request.Env ?? [], timeout)
                {
                    InputFiles = placed.Select(p => new ExecutionInputFile(p.Key, p.Value.Size, p.Value.OpenRead)).ToArray(),
                    Outputs = outputs,
                },
                ct);

            if (persistent)
            {
                var workspace = placed.ToDictionary(p => p.Key, p => p.Value.Hash, StringComparer.Ordinal);
                foreach (var (path, file) in outputs.Stored)
                {
                    workspace[path] = file.Hash;
                }

                await files.SaveWorkspaceAsync(chatId, workspace, limits, ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat {ChatId}'s workspace names blob {Hash}, which is gone; left out")]
    private partial void LogWorkspaceBlobMissing(string chatId, string hash);
}
