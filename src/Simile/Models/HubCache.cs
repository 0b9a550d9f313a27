using System.Text;
using System.Text.RegularExpressions;

namespace Simile.Models;

/// <summary>One revision of a hub repository in the cache: its snapshot folder and the refs that name it.</summary>
/// <param name="Id">The repository id, <c>org/name</c> (or a bare <c>name</c> for the hub's oldest models).</param>
/// <param name="Revision">The ref name asked for (<c>main</c>, a tag, a branch); for a commit hash, the ref that names that
/// commit (main first), else the commit itself — so one snapshot has one display name however it was asked for.</param>
/// <param name="Commit">The commit hash, the name of the folder under <c>snapshots/</c>.</param>
/// <param name="Folder">The snapshot folder <c>models--org--name/snapshots/COMMIT</c>.</param>
/// <param name="RepoFolder">The repository folder <c>models--org--name</c>.</param>
public sealed record HubSnapshot(string Id, string Revision, string Commit, string Folder, string RepoFolder)
{
    /// <summary>The name tables, figures and results use: <c>org/name</c> for the main revision, else <c>org/name@REVISION</c>
    /// (a commit shortened to 12 digits).</summary>
    public string DisplayName => Revision == HubCache.DefaultRevision ? Id
        : $"{Id}@{(HubCache.IsCommitHash(Revision) ? Revision[..12] : Revision)}";

    /// <summary><c>hf:org/name@COMMIT</c>: names exactly this snapshot, whatever the refs say later (grid plans store it).</summary>
    public string Reference => $"{HubCache.Prefix}{Id}@{Commit}";
}

/// <summary>One cached revision as <c>simile models</c> lists it.</summary>
public sealed record HubRevisionEntry(string Commit, IReadOnlyList<string> Refs, string Folder, long SizeOnDisk);

/// <summary>One cached repository as <c>simile models</c> lists it: its revisions and its size on disk (each blob once).</summary>
/// <param name="Problem">Why the repository cannot be used as it is (a broken link, a ref to a missing snapshot); null when sound.</param>
public sealed record HubRepoEntry(string Id, string Folder, IReadOnlyList<HubRevisionEntry> Revisions, long SizeOnDisk, string? Problem);

/// <summary>
/// The Hugging Face hub cache, read offline exactly as <c>huggingface_hub</c> reads it (constants.py,
/// <c>try_to_load_from_cache</c>, <c>snapshot_download(local_files_only=True)</c>, <c>scan_cache_dir</c>):
/// <list type="bullet">
/// <item>the cache folder is <c>$HF_HUB_CACHE</c>, else the legacy <c>$HUGGINGFACE_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>,
/// else <c>$XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>; <c>~</c> and <c>$VAR</c> are expanded
/// as Python's <c>expanduser</c>/<c>expandvars</c> do. A variable set to the empty string counts as unset here (Python would
/// use the current folder);</item>
/// <item>model <c>org/name</c> lives in <c>models--org--name/</c>; <c>refs/REVISION</c> holds a commit hash;
/// <c>snapshots/COMMIT/</c> holds the files, each a relative link <c>../../blobs/ETAG</c>;</item>
/// <item>a revision that is a commit hash (40 lower-case hex digits) is used directly, any other is a ref name
/// (<c>main</c> by default); no snapshot is picked by guess.</item>
/// </list>
/// </summary>
public sealed partial class HubCache
{
    public const string Prefix = "hf:";
    public const string DefaultRevision = "main";
    public const string RepoFolderPrefix = "models--";
    public const string Separator = "--";
    public const int MaxNameLength = 96;

    /// <summary>The cache folder (…/huggingface/hub).</summary>
    public string Root { get; }

    /// <summary>Where <see cref="Root"/> came from, for messages: "HF_HUB_CACHE", "HF_HOME", "the default ~/.cache/huggingface/hub"….</summary>
    public string Origin { get; }

    /// <param name="root">The cache folder; null = from the environment as huggingface_hub finds it.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own); null = the process environment.</param>
    public HubCache(string? root = null, Func<string, string?>? environment = null)
    {
        if (root is not null) { Root = root; Origin = "given"; return; }
        (Root, Origin) = Locate(environment ?? Environment.GetEnvironmentVariable);
    }

    /// <summary>huggingface_hub's constants.py: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub.</summary>
    public static (string Root, string Origin) Locate(Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        string Expand(string p) => ExpandVariables(ExpandUser(p, environment), environment);
        if (Env("HF_HUB_CACHE") is { } hub) return (Expand(hub), "HF_HUB_CACHE");
        if (Env("HUGGINGFACE_HUB_CACHE") is { } legacy) return (Expand(legacy), "HUGGINGFACE_HUB_CACHE");
        if (Env("HF_HOME") is { } home) return (Path.Combine(Expand(home), "hub"), "HF_HOME");
        if (Env("XDG_CACHE_HOME") is { } xdg) return (Path.Combine(Expand(Path.Combine(xdg, "huggingface")), "hub"), "XDG_CACHE_HOME");
        return (Path.Combine(Expand(Path.Combine("~", ".cache", "huggingface")), "hub"), "the default ~/.cache/huggingface/hub");
    }

    /// <summary>Python's <c>os.path.expanduser</c> for <c>~</c> and <c>~/…</c> (HOME, else the user profile folder).</summary>
    internal static string ExpandUser(string path, Func<string, string?> environment)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal) && !(OperatingSystem.IsWindows() && path.StartsWith("~\\", StringComparison.Ordinal)))
            return path;
        string home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return path == "~" ? home : Path.Combine(home, path[2..]);
    }

    [GeneratedRegex(@"\$(\w+|\{[^}]*\})")]
    private static partial Regex Variable();

    /// <summary>Python's <c>os.path.expandvars</c>: <c>$NAME</c> and <c>${NAME}</c> of set variables; unset ones stay as written.</summary>
    internal static string ExpandVariables(string path, Func<string, string?> environment) =>
        path.Contains('$') ? Variable().Replace(path, m =>
        {
            string name = m.Groups[1].Value.Trim('{', '}');
            return environment(name) ?? m.Value;
        }) : path;

    /// <summary>True for <c>hf:…</c>.</summary>
    public static bool IsHubReference(string nameOrPath) => nameOrPath.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    /// <summary>huggingface_hub's REGEX_COMMIT_HASH: 40 lower-case hex digits.</summary>
    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    [GeneratedRegex(@"^\w(?:[\w.-]*\w)?$")]
    private static partial Regex NamePart();

    /// <summary>huggingface_hub's validate_repo_id: <c>name</c> or <c>namespace/name</c>, letters, digits, '-', '_', '.',
    /// starting and ending with a letter or digit, the name at most 96 characters, no "--" or "..", not ending ".git".</summary>
    public static bool IsRepoId(string id)
    {
        var parts = id.Split('/');
        if (parts.Length is < 1 or > 2 || parts[^1].Length > MaxNameLength) return false;
        if (!parts.All(p => NamePart().IsMatch(p))) return false;
        return !id.Contains(Separator, StringComparison.Ordinal) && !id.Contains("..", StringComparison.Ordinal)
               && !id.EndsWith(".git", StringComparison.Ordinal);
    }

    /// <summary>
    /// Splits <c>[hf:]ID[@REVISION]</c>; null when the text is not of that form (so it is no hub reference).
    /// A revision may hold '/' (<c>refs/pr/1</c>) but no "..", no '\' and no leading '/'.
    /// </summary>
    public static (string Id, string? Revision)? ParseReference(string text)
    {
        string t = text.Trim();
        if (IsHubReference(t)) t = t[Prefix.Length..];
        string? revision = null;
        int at = t.IndexOf('@');
        if (at >= 0) { revision = t[(at + 1)..]; t = t[..at]; }
        if (!IsRepoId(t)) return null;
        if (revision is not null && !IsRevision(revision)) return null;
        return (t, revision);
    }

    private static bool IsRevision(string r) =>
        r.Length is > 0 and <= 256 && !r.StartsWith('/') && !r.EndsWith('/') && !r.Contains('\\') && !r.Contains("//", StringComparison.Ordinal)
        && r.Split('/').All(p => p is not ("." or "..")) && !r.Any(char.IsControl) && !r.Contains(':');

    /// <summary>The folder of a repository: <c>ROOT/models--org--name</c> (huggingface_hub's repo_folder_name).</summary>
    public string RepoFolder(string id) => Path.Combine(Root, RepoFolderPrefix + id.Replace("/", Separator, StringComparison.Ordinal));

    /// <summary>The id of a repository folder <c>models--org--name</c> (scan_cache_dir: split at the first "--", the rest's "--" → "/").</summary>
    public static string? IdOfRepoFolder(string folderName) =>
        folderName.StartsWith(RepoFolderPrefix, StringComparison.Ordinal) && folderName.Length > RepoFolderPrefix.Length
            ? folderName[RepoFolderPrefix.Length..].Replace(Separator, "/", StringComparison.Ordinal)
            : null;

    /// <summary>
    /// The snapshot for <c>ID[@REVISION]</c>: a commit hash is used directly, a ref name is read from <c>refs/</c>.
    /// Anything missing is one <see cref="SimileException"/> naming where it looked.
    /// </summary>
    public HubSnapshot Resolve(string id, string? revision = null)
    {
        string repo = RepoFolder(id);
        if (!Directory.Exists(repo))
            throw new SimileException(
                $"model '{id}' is not in the Hugging Face cache (no folder '{repo}'; the cache is '{Root}', from {Origin})",
                $"download it with 'hf download {id}' (older huggingface_hub: 'huggingface-cli download {id}'), set HF_HUB_CACHE to the cache that holds it, or give the model's folder");
        return ResolveIn(repo, id, revision ?? DefaultRevision);
    }

    private static HubSnapshot ResolveIn(string repo, string id, string revision)
    {
        string commit;
        if (IsCommitHash(revision)) commit = revision;
        else
        {
            string refFile = Path.Combine(repo, "refs", revision);
            if (!LinkedFile.Exists(refFile))
                throw new SimileException(
                    $"revision '{revision}' of '{id}' is not in the Hugging Face cache (no ref file '{refFile}'; {Available(repo)})",
                    $"use hf:{id}@REVISION with one of the refs or commits listed, or download it with 'hf download {id} --revision {revision}'");
            commit = ReadRef(refFile);
            if (!IsCommitHash(commit))
                throw new SimileException($"ref file '{refFile}' holds '{Clip(commit)}', not a 40-digit commit hash",
                    $"the cache is damaged: download the model again with 'hf download {id}'");
        }
        string snapshot = Path.Combine(repo, "snapshots", commit);
        if (!Directory.Exists(snapshot))
        {
            string via = commit == revision ? "" : $" (refs/{revision} names commit {commit})";
            throw new SimileException(
                $"revision '{revision}' of '{id}' has no snapshot folder '{snapshot}'{via}; {Available(repo)}",
                $"download it with 'hf download {id} --revision {revision}', or use hf:{id}@REVISION with a revision listed");
        }
        if (IsCommitHash(revision)) revision = RefsNaming(repo, commit).FirstOrDefault() ?? commit;
        return new HubSnapshot(id, revision, commit, snapshot, repo);
    }

    /// <summary>A ref file's commit: the first line, without the surrounding blanks other tools may add.</summary>
    private static string ReadRef(string refFile)
    {
        if (LinkedFile.Length(refFile) > 4096)
            throw new SimileException($"ref file '{refFile}' is larger than a commit hash", "the cache is damaged: download the model again");
        return File.ReadAllText(refFile, Encoding.UTF8).Trim();
    }

    /// <summary>At most 60 characters of a file's text, control characters shown as '?', so a message stays one line.</summary>
    private static string Clip(string s)
    {
        string t = new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return t.Length > 60 ? t[..57] + "…" : t;
    }

    /// <summary>"refs: main, v1; snapshots: 1234567890ab, …" for messages.</summary>
    private static string Available(string repo)
    {
        var refs = RefNames(repo);
        var snaps = SnapshotNames(repo);
        return $"refs: {(refs.Count == 0 ? "none" : string.Join(", ", refs))}; snapshots: "
               + (snaps.Count == 0 ? "none" : string.Join(", ", snaps.Select(s => s.Length > 12 ? s[..12] : s)));
    }

    private static List<string> RefNames(string repo)
    {
        string refs = Path.Combine(repo, "refs");
        if (!Directory.Exists(refs)) return [];
        try
        {
            return Directory.EnumerateFiles(refs, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(refs, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static List<string> SnapshotNames(string repo)
    {
        string snaps = Path.Combine(repo, "snapshots");
        if (!Directory.Exists(snaps)) return [];
        try { return Directory.GetDirectories(snaps).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>
    /// The snapshot a folder inside a hub cache stands for: a repository folder <c>models--org--name</c> (its
    /// <c>refs/main</c>) or a snapshot folder <c>…/snapshots/COMMIT</c> (the ref naming it, main first). Null for a folder
    /// that is not laid out so.
    /// </summary>
    public static HubSnapshot? FromFolder(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string name = Path.GetFileName(full);
        if (IdOfRepoFolder(name) is { } id && Directory.Exists(Path.Combine(full, "snapshots")))
            return ResolveIn(full, id, DefaultRevision);
        string? parent = Path.GetDirectoryName(full);
        string? repo = parent is null ? null : Path.GetDirectoryName(parent);
        if (parent is not null && repo is not null && Path.GetFileName(parent) == "snapshots"
            && IdOfRepoFolder(Path.GetFileName(repo)) is { } snapId)
        {
            string revision = RefsNaming(repo, name).FirstOrDefault() ?? name;
            return new HubSnapshot(snapId, revision, name, full, repo);
        }
        return null;
    }

    /// <summary>
    /// The name outputs use for a model file or folder inside a hub cache: a snapshot folder (or repository folder) is
    /// named by its snapshot's <see cref="HubSnapshot.DisplayName"/>, and so is a GGUF file that is its snapshot's only
    /// one; another GGUF file of a snapshot is <c>org/name/FILE</c> (without .gguf). Null outside a cache.
    /// </summary>
    public static string? ModelName(string path)
    {
        try
        {
            if (Directory.Exists(path)) return FromFolder(path)?.DisplayName;
            string full = Path.GetFullPath(path);
            if (!full.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || Path.GetDirectoryName(full) is not { } dir
                || FromFolder(dir) is not { } snapshot || Path.GetFileName(Path.GetDirectoryName(dir)) != "snapshots")
                return null;
            int ggufs = Directory.GetFiles(dir, "*.gguf", SearchOption.AllDirectories).Length;
            return ggufs == 1 ? snapshot.DisplayName : $"{snapshot.DisplayName}/{Path.GetFileNameWithoutExtension(full)}";
        }
        catch (Exception e) when (e is SimileException or IOException or UnauthorizedAccessException)
        {
            return null;   // a damaged cache is reported where the model is opened
        }
    }

    /// <summary>The refs whose commit is <paramref name="commit"/>: main first, then by name.</summary>
    private static IEnumerable<string> RefsNaming(string repo, string commit)
    {
        string refs = Path.Combine(repo, "refs");
        return RefNames(repo).Where(r =>
            {
                try { return ReadRef(Path.Combine(refs, r)) == commit; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or SimileException) { return false; }
            })
            .OrderBy(r => r == DefaultRevision ? 0 : 1).ThenBy(r => r, StringComparer.Ordinal);
    }

    /// <summary>
    /// Every model repository in the cache with its revisions and size on disk, as scan_cache_dir counts it: the
    /// blobs the snapshots link to, each once. A damaged repository is listed with its problem, not skipped.
    /// </summary>
    public IReadOnlyList<HubRepoEntry> Scan()
    {
        var result = new List<HubRepoEntry>();
        if (!Directory.Exists(Root)) return result;
        List<string> repos;
        try { repos = Directory.GetDirectories(Root, RepoFolderPrefix + "*").Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return result; }
        foreach (var repo in repos)
        {
            string id = IdOfRepoFolder(Path.GetFileName(repo))!;
            result.Add(ScanRepo(repo, id));
        }
        return result;
    }

    private static HubRepoEntry ScanRepo(string repo, string id)
    {
        var blobs = new Dictionary<string, long>(StringComparer.Ordinal);
        var revisions = new List<HubRevisionEntry>();
        string? problem = null;
        try
        {
            var refsByCommit = RefNames(repo).GroupBy(r => SafeRef(repo, r)).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var snapshot in SnapshotNames(repo))
            {
                string folder = Path.Combine(repo, "snapshots", snapshot);
                var mine = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                {
                    if (!LinkedFile.Exists(file)) continue;   // a link to a folder
                    string blob = BlobOf(file);
                    if (!blobs.ContainsKey(blob)) blobs[blob] = LinkedFile.Length(file);
                    mine.Add(blob);
                }
                var refs = refsByCommit.Remove(snapshot, out var r) ? r.OrderBy(x => x == DefaultRevision ? 0 : 1).ThenBy(x => x, StringComparer.Ordinal).ToList() : [];
                revisions.Add(new HubRevisionEntry(snapshot, refs, folder, mine.Sum(b => blobs[b])));
            }
            var dangling = refsByCommit.Where(kv => kv.Key.Length > 0).SelectMany(kv => kv.Value.Select(r => $"refs/{r} → {kv.Key}")).ToList();
            if (dangling.Count > 0) problem = $"{string.Join(", ", dangling)} has no snapshot folder";
        }
        catch (SimileException e) { problem = e.Message; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problem = e.Message; }
        return new HubRepoEntry(id, repo, revisions.OrderBy(v => v.Refs.Contains(DefaultRevision) ? 0 : 1).ThenBy(v => v.Commit, StringComparer.Ordinal).ToList(),
            blobs.Values.Sum(), problem);
    }

    private static string SafeRef(string repo, string name)
    {
        try { return ReadRef(Path.Combine(repo, "refs", name)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SimileException) { return ""; }
    }

    /// <summary>The file a snapshot entry's links end at (the blob), as a key that is the same for every link to it.</summary>
    private static string BlobOf(string file)
    {
        var final = File.ResolveLinkTarget(Path.GetFullPath(file), returnFinalTarget: true);
        return final?.FullName ?? Path.GetFullPath(file);
    }
}
