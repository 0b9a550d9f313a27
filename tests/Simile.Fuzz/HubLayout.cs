using System.Text;
using Simile.Models;
using Simile.Models.HuggingFace;

namespace Simile.Fuzz;

/// <summary>
/// The Hugging Face cache layout as a fuzzed input. Links cannot be seed bytes, so the layout is a small text file the
/// fuzzer mutates, one entry a line, built into a real cache with real symbolic links before each run:
/// <code>
/// blob NAME SEEDFILE      blobs/NAME = the bytes of a seed file (config.json, vocab.txt, …)
/// link PATH TARGET        a symbolic link at PATH (under the cache) whose text is TARGET; $CACHE = the cache folder
/// ref NAME TEXT           refs/NAME holding TEXT
/// dir PATH                a folder
/// </code>
/// PATH and NAME stay inside the cache (entries that would leave it are skipped); a TARGET may point anywhere: dangling,
/// looping, absolute and relative links are what this target is for. The run scans the cache, resolves every
/// repository at main and at each ref, opens the snapshot as a model and runs it; any failure other than a
/// <see cref="SimileException"/> is a finding.
/// </summary>
public static class HubLayout
{
    public const string SpecFile = "layout.txt";
    public const string Repo = "models--simile--tiny";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";
    public const string Second = "89abcdef0123456789abcdef0123456789abcdef";

    /// <summary>The seed files plus a layout with two revisions: main (relative links) and v1 (absolute links), sharing blobs.</summary>
    public static Dictionary<string, byte[]> Seeds(Dictionary<string, byte[]> files)
    {
        var sb = new StringBuilder();
        foreach (var name in files.Keys.Order(StringComparer.Ordinal))
        {
            string blob = Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
            sb.Append($"blob {blob} {name}\n");
            sb.Append($"link {Repo}/snapshots/{Commit}/{name} ../../blobs/{blob}\n");
            sb.Append($"link {Repo}/snapshots/{Second}/{name} $CACHE/{Repo}/blobs/{blob}\n");
        }
        sb.Append($"ref main {Commit}\n");
        sb.Append($"ref v1 {Second}\n");
        var result = new Dictionary<string, byte[]>(files) { [SpecFile] = Encoding.UTF8.GetBytes(sb.ToString()) };
        return result;
    }

    public static void Run(string folder)
    {
        string cache = Path.Combine(folder, "cache");
        Build(folder, cache);
        var hub = new HubCache(cache);
        SimileException? refusal = null;
        foreach (var repo in hub.Scan())
        {
            _ = repo.SizeOnDisk;
            foreach (var rev in new[] { null, "v1" }.Concat(repo.Revisions.Select(r => r.Commit)).Distinct())
            {
                try
                {
                    var snap = hub.Resolve(repo.Id, rev);
                    OpenModel(snap.Folder);
                }
                catch (SimileException e) when (e.Message.Contains('\n') || e.Fix.Contains('\n'))
                {
                    throw new FuzzCheckFailed($"a message of more than one line: {e.Message.Replace('\n', '|')}");
                }
                catch (SimileException e)
                {
                    refusal ??= e;   // refused with one line: what a damaged cache should give; reported after the rest ran
                }
            }
            try { _ = HubCache.FromFolder(repo.Folder); } catch (SimileException e) { refusal ??= e; }
        }
        if (refusal is not null) throw refusal;
    }

    private static void OpenModel(string snapshot)
    {
        if (!HuggingFaceModel.IsModelFolder(snapshot)) return;
        using var m = HuggingFaceModel.Open(snapshot);
        m.Run(["The cat sat on the mat."], withAttention: false);
    }

    /// <summary>Builds the cache from the layout file; entries that would write outside the cache are skipped.</summary>
    private static void Build(string folder, string cache)
    {
        Directory.CreateDirectory(cache);
        string repo = Path.Combine(cache, Repo);
        var lines = File.ReadAllText(Path.Combine(folder, SpecFile), Encoding.UTF8).Split('\n');
        foreach (var raw in lines.Take(200))
        {
            var parts = raw.Split(' ', 3);
            if (parts.Length < 2) continue;
            try
            {
                switch (parts[0])
                {
                    case "blob" when parts.Length == 3 && Inside(parts[1]) is { } name && Inside(parts[2]) is { } seed:
                        string src = Path.Combine(folder, seed);
                        if (File.Exists(src) && !LinkedFile.IsLink(src) && seed != SpecFile)
                        {
                            string dst = Path.Combine(repo, "blobs", name);
                            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
                            File.Copy(src, dst, overwrite: true);
                        }
                        break;
                    case "link" when parts.Length == 3 && Inside(parts[1]) is { } path && parts[2].Length is > 0 and < 4096 && !parts[2].Contains('\0'):
                        string at = Path.Combine(cache, path);
                        Directory.CreateDirectory(Path.GetDirectoryName(at)!);
                        if (!File.Exists(at) && !Directory.Exists(at) && !LinkedFile.IsLink(at))
                            File.CreateSymbolicLink(at, parts[2].Replace("$CACHE", cache, StringComparison.Ordinal));
                        break;
                    case "ref" when parts.Length == 3 && Inside(parts[1]) is { } refName:
                        string refFile = Path.Combine(repo, "refs", refName);
                        Directory.CreateDirectory(Path.GetDirectoryName(refFile)!);
                        if (!Directory.Exists(refFile) && !LinkedFile.IsLink(refFile)) File.WriteAllText(refFile, parts[2]);
                        break;
                    case "dir" when Inside(parts[1]) is { } dir:
                        Directory.CreateDirectory(Path.Combine(cache, dir));
                        break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // a layout the file system refuses to build (a name clash, a file where a folder should be): skipped
            }
        }
    }

    /// <summary>A relative path of plain components (no "..", not rooted, no control characters), or null.</summary>
    private static string? Inside(string p)
    {
        if (p.Length is 0 or > 300 || Path.IsPathRooted(p) || p.Contains('\\') || p.Any(c => char.IsControl(c) || c == ':')) return null;
        var parts = p.Split('/');
        if (parts.Any(x => x is "" or "." or "..")) return null;
        return p;
    }
}
