using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>
/// The API as a real process (<c>dotnet Interpreter.Api.dll</c>) on a loopback port, configured only through APP_
/// variables, so it can be killed with SIGKILL or stopped with SIGTERM, or left to refuse its settings and exit.
/// </summary>
internal sealed partial class ApiProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote (its JSON log), for a failing test's message.</summary>
    public string RecentOutput => string.Join('\n', _lines);

    /// <param name="openFileLimit">When set, the process runs under this RLIMIT_NOFILE (soft and hard, through prlimit).</param>
    public static ApiProcess Start(
        string instance, string storage, IReadOnlyDictionary<string, string> settings, int? openFileLimit = null)
    {
        var port = FreePort();
        var info = StartInfo(instance, $"127.0.0.1:{port}", storage);
        if (openFileLimit is { } limit)
        {
            // prlimit sets the limit on itself and then execs dotnet, so the process id stays the API's.
            info.ArgumentList.Insert(0, info.FileName);
            info.ArgumentList.Insert(0, "--");
            info.ArgumentList.Insert(0, $"--nofile={limit.ToString(CultureInfo.InvariantCulture)}:{limit.ToString(CultureInfo.InvariantCulture)}");
            info.FileName = "prlimit";
        }

        info.Environment["APP_EXECUTOR_IMAGE"] = TestImage.Name;
        info.Environment["APP_INTERNAL_IP_ALLOWLIST"] = "127.0.0.1/32";
        Apply(info, settings);

        var process = Process.Start(info)!;
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        // Drain the pipes so the child never blocks on a full one; keep the tail for diagnosis.
        process.OutputDataReceived += (_, e) => api.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => api.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>
    /// Starts the API with <paramref name="settings"/> over a unique instance name, a port the system picks and a
    /// temporary storage folder (each of which the settings may replace), and waits up to a minute for it to exit
    /// by itself, as it must when it refuses its configuration. The storage folder is removed afterwards.
    /// </summary>
    public static async Task<ApiExit> RunUntilExitAsync(IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var storage = Path.Combine(Path.GetTempPath(), "computesandbox-tests", "startup-" + id);
        var info = StartInfo("config-" + id, "127.0.0.1:0", storage);
        Apply(info, settings);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }

        return new ApiExit(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The pool's counts from <c>/readyz</c>, or null while it does not answer 200.</summary>
    public async Task<PoolCounts?> PoolAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await Client.GetAsync("/readyz", timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            var match = PoolPattern().Match(body.RootElement.GetProperty("checks").GetProperty("pool").GetString() ?? "");
            return match.Success
                ? new PoolCounts(Int(match, 1), Int(match, 2), Int(match, 3))
                : throw new InvalidOperationException("/readyz reports no pool counts.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, whatever was in flight is cut off.</summary>
    public async Task KillAsync(CancellationToken ct)
    {
        _process.Kill();
        await _process.WaitForExitAsync(ct);
    }

    /// <summary>SIGTERM: the graceful stop (the pool removes this run's sandboxes).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(ct);
        }

        await _process.WaitForExitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }
    }

    private static ProcessStartInfo StartInfo(string instance, string listenAddress, string storage)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Interpreter.Api.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["APP_INSTANCE_NAME"] = instance;
        info.Environment["APP_HTTP_LISTEN_ADDR"] = listenAddress;
        info.Environment["APP_FILE_STORAGE_PATH"] = storage;
        return info;
    }

    /// <summary>The test's own settings come last, so that they win over the defaults above.</summary>
    private static void Apply(ProcessStartInfo info, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }
    }

    private static int Int(Match match, int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"ready=(\d+) starting=(\d+) in_use=(\d+)")]
    private static partial Regex PoolPattern();

    /// <summary>What <c>/readyz</c> says about the pool.</summary>
    public sealed record PoolCounts(int Ready, int Starting, int InUse);
}
