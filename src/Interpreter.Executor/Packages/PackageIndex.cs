using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Interpreter.Executor.Packages;

/// <summary>
/// Finds and fetches wheels from the one configured PEP 503 index, and from nothing else: a file link that leaves the
/// index's origin is refused, every file must carry the SHA-256 the index gives (<c>#sha256=</c>) and match it, and a
/// wheel is at most <c>APP_PACKAGE_MAX_BYTES</c>. Verified wheels are kept by content, so a second run fetches nothing.
/// </summary>
public sealed partial class PackageIndex(HttpClient http, IOptions<PackageOptions> options)
{
    private readonly PackageOptions _options = options.Value;

    /// <summary>The newest wheel of <paramref name="distribution"/> that runs in the sandbox (Python 3.11 on Linux).</summary>
    public async Task<FetchedWheel> FetchAsync(string distribution, CancellationToken ct)
    {
        var index = new Uri(_options.IndexUrl.EndsWith('/') ? _options.IndexUrl : _options.IndexUrl + "/");
        var page = new Uri(index, Normalize(distribution) + "/");
        string html;
        try
        {
            using var response = await http.GetAsync(page, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new PackageInstallException($"the package index has no distribution '{distribution}'");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new PackageInstallException($"the package index answered {(int)response.StatusCode} for '{distribution}'");
            }

            html = await ReadCappedTextAsync(response, 8L << 20, ct);
        }
        catch (HttpRequestException e)
        {
            throw new PackageInstallException($"the package index cannot be reached ({e.Message})", e);
        }

        var candidate = Candidates(html, page, index).OrderByDescending(c => c.Version, VersionComparer.Instance).FirstOrDefault()
            ?? throw new PackageInstallException($"the package index has no wheel of '{distribution}' for Python 3.11 on Linux");
        return await DownloadAsync(candidate, ct);
    }

    /// <summary>PEP 503 name normalisation.</summary>
    public static string Normalize(string name) => Separators().Replace(name, "-").ToLowerInvariant();

    private async Task<FetchedWheel> DownloadAsync(Candidate candidate, CancellationToken ct)
    {
        var cached = Path.Combine(_options.CacheDirectory, candidate.Sha256 + ".whl");
        if (File.Exists(cached))
        {
            return new FetchedWheel(candidate.FileName, candidate.Sha256, cached);
        }

        Directory.CreateDirectory(_options.CacheDirectory);
        var partial = cached + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            using var response = await http.GetAsync(candidate.Url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new PackageInstallException($"the package index answered {(int)response.StatusCode} for {candidate.FileName}");
            }

            if (response.Content.Headers.ContentLength > _options.MaxBytes.Bytes)
            {
                throw TooLarge(candidate);
            }

            await using (var source = await response.Content.ReadAsStreamAsync(ct))
            await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > _options.MaxBytes.Bytes)
                    {
                        throw TooLarge(candidate);
                    }

                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != candidate.Sha256)
                {
                    throw new PackageInstallException(
                        $"{candidate.FileName} does not match the SHA-256 the package index gives for it (refused)");
                }
            }

            File.Move(partial, cached, overwrite: true);
            return new FetchedWheel(candidate.FileName, candidate.Sha256, cached);
        }
        catch (HttpRequestException e)
        {
            throw new PackageInstallException($"the package index cannot be reached ({e.Message})", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private PackageInstallException TooLarge(Candidate candidate) =>
        new($"{candidate.FileName} is larger than APP_PACKAGE_MAX_BYTES ({_options.MaxBytes})");

    private static async Task<string> ReadCappedTextAsync(HttpResponseMessage response, long cap, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var memory = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            if (memory.Length + read > cap)
            {
                throw new PackageInstallException("the package index's page is larger than 8 MiB (refused)");
            }

            memory.Write(buffer, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length);
    }

    private static IEnumerable<Candidate> Candidates(string html, Uri page, Uri index)
    {
        foreach (Match link in Anchor().Matches(html))
        {
            var href = WebUtility.HtmlDecode(link.Groups["href"].Value);
            if (!Uri.TryCreate(page, href, out var url) || url.Scheme != index.Scheme || url.Host != index.Host || url.Port != index.Port)
            {
                continue; // only the index's own origin
            }

            var fragment = url.Fragment.TrimStart('#');
            if (!fragment.StartsWith("sha256=", StringComparison.Ordinal) || !Sha256().IsMatch(fragment[7..]))
            {
                continue; // no hash given: not trusted
            }

            var fileName = Uri.UnescapeDataString(url.AbsolutePath[(url.AbsolutePath.LastIndexOf('/') + 1)..]);
            if (WheelName().Match(fileName) is not { Success: true } wheel || !Runs(wheel))
            {
                continue;
            }

            yield return new Candidate(fileName, new Uri(url.GetLeftPart(UriPartial.Query)), fragment[7..].ToLowerInvariant(),
                wheel.Groups["version"].Value);
        }
    }

    /// <summary>Pure-Python wheels, or CPython 3.11 / abi3 builds for manylinux on this machine's architecture.</summary>
    private static bool Runs(Match wheel)
    {
        var pythons = wheel.Groups["python"].Value.Split('.');
        var abis = wheel.Groups["abi"].Value.Split('.');
        var platforms = wheel.Groups["platform"].Value.Split('.');
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64";
        var python = pythons.Any(p => p is "py3" or "py311" or "cp311" || (p.StartsWith("cp3", StringComparison.Ordinal)
            && abis.Contains("abi3") && int.TryParse(p[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) && minor <= 11));
        var abi = abis.Any(a => a is "none" or "abi3" or "cp311");
        var platform = platforms.Any(p => p == "any" || (p.StartsWith("manylinux", StringComparison.Ordinal) && p.EndsWith("_" + arch, StringComparison.Ordinal)));
        return python && abi && platform;
    }

    private sealed record Candidate(string FileName, Uri Url, string Sha256, string Version);

    /// <summary>Orders versions by their numeric parts (1.10 after 1.9); pre-release tails sort before the release.</summary>
    private sealed class VersionComparer : IComparer<string>
    {
        public static readonly VersionComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = Parts(x ?? "");
            var b = Parts(y ?? "");
            for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
            {
                var left = i < a.Count ? a[i] : 0;
                var right = i < b.Count ? b[i] : 0;
                if (left != right)
                {
                    return left.CompareTo(right);
                }
            }

            return string.CompareOrdinal(x, y);
        }

        private static List<long> Parts(string version) =>
            NumericParts().Match(version).Value.Split('.', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).ToList();
    }

    [GeneratedRegex(@"<a\s[^>]*?href\s*=\s*[""'](?<href>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex Anchor();

    [GeneratedRegex(@"\A[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"[-_.]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"\A[0-9.]+")]
    private static partial Regex NumericParts();

    // {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl
    [GeneratedRegex(@"\A(?<name>[A-Za-z0-9_.]+)-(?<version>[A-Za-z0-9_.!+]+)(-[0-9][A-Za-z0-9_.]*)?-(?<python>[A-Za-z0-9_.]+)-(?<abi>[A-Za-z0-9_.]+)-(?<platform>[A-Za-z0-9_.]+)\.whl\z")]
    private static partial Regex WheelName();
}
