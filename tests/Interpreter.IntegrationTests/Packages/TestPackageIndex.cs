using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Interpreter.IntegrationTests.Infrastructure;

namespace Interpreter.IntegrationTests.Packages;

/// <summary>
/// A PEP 503 simple index on a loopback port, served by the test itself, holding wheels the test builds from small
/// source packages (a wheel is a zip: the package's files plus its <c>.dist-info</c>). It counts what it served.
/// </summary>
internal sealed class TestPackageIndex : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, List<(string FileName, byte[] Bytes, string Sha256)>> _projects = new(StringComparer.Ordinal);
    private readonly Task _serving;

    public TestPackageIndex()
    {
        Port = ApiProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/simple/";

    /// <summary>Requests served, by path.</summary>
    public ConcurrentDictionary<string, int> Served { get; } = new(StringComparer.Ordinal);

    /// <summary>Links listed on a project's page that are not its own files (another origin, a wrong hash).</summary>
    public Dictionary<string, List<string>> ExtraLinks { get; } = new(StringComparer.Ordinal);

    /// <summary>Builds a wheel of <paramref name="files"/> (path -> Python source) and lists it under its project.</summary>
    public void AddWheel(string distribution, string version, IReadOnlyDictionary<string, string> files, IEnumerable<string>? requires = null,
        string tags = "py3-none-any", string? advertisedSha256 = null)
    {
        var fileName = $"{distribution.Replace('-', '_')}-{version}-{tags}.whl";
        var dist = $"{distribution.Replace('-', '_')}-{version}.dist-info";
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                Write(zip, path, content);
            }

            var metadata = new StringBuilder($"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n");
            foreach (var requirement in requires ?? [])
            {
                metadata.Append("Requires-Dist: ").Append(requirement).Append('\n');
            }

            Write(zip, dist + "/METADATA", metadata.Append('\n').ToString());
            Write(zip, dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Write(zip, dist + "/RECORD", "");
        }

        var bytes = buffer.ToArray();
        var project = Normalize(distribution);
        if (!_projects.TryGetValue(project, out var wheels))
        {
            _projects[project] = wheels = [];
        }

        wheels.Add((fileName, bytes, advertisedSha256 ?? Convert.ToHexStringLower(SHA256.HashData(bytes))));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private static string Normalize(string name) => System.Text.RegularExpressions.Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();

    private static void Write(ZipArchive zip, string path, string content)
    {
        using var stream = zip.CreateEntry(path).Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            Served.AddOrUpdate(path, 1, (_, n) => n + 1);
            try
            {
                var (status, body, type) = Answer(path);
                context.Response.StatusCode = status;
                context.Response.ContentType = type;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private (int Status, byte[] Body, string Type) Answer(string path)
    {
        var parts = path.Trim('/').Split('/');
        if (parts is ["simple", var project] && (_projects.ContainsKey(project) || ExtraLinks.ContainsKey(project)))
        {
            var wheels = _projects.GetValueOrDefault(project) ?? [];
            var html = new StringBuilder("<!DOCTYPE html><html><body>\n");
            foreach (var (fileName, _, sha256) in wheels)
            {
                html.Append($"<a href=\"/files/{project}/{fileName}#sha256={sha256}\">{fileName}</a><br/>\n");
            }

            foreach (var link in ExtraLinks.GetValueOrDefault(project) ?? [])
            {
                html.Append($"<a href=\"{link}\">extra</a><br/>\n");
            }

            return (200, Encoding.UTF8.GetBytes(html.Append("</body></html>").ToString()), "text/html");
        }

        if (parts is ["files", var owner, var file] && _projects.TryGetValue(owner, out var listed)
            && listed.FirstOrDefault(w => w.FileName == file) is { Bytes: not null } wheel)
        {
            return (200, wheel.Bytes, "application/octet-stream");
        }

        return (404, "not found"u8.ToArray(), "text/plain");
    }
}
