using System.Security.Cryptography;
using System.Text.Json;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

/// <summary>
/// A fact on tests/reference/hub-cache: skipped, with the reason, when the checkout has text files where git keeps
/// symbolic links (Windows with core.symlinks=false) outside CI (with CI=true it runs, and fails).
/// </summary>
public sealed class LinkedCacheFactAttribute : FactAttribute
{
    public LinkedCacheFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        string probe = Path.Combine(TestPaths.Reference, "hub-cache", "hub", "models--simile-tests--llama-tiny", "snapshots",
            "4feb6a4d3c1e0d7ab0e60e70b012ac49fe57ae0a", "config.json");
        if (!ci && !LinkedFile.IsLink(probe)) Skip = "this checkout has no symbolic links (git core.symlinks=false): the huggingface_hub-made cache is not a cache";
    }
}

/// <summary>
/// The Hugging Face cache: the layout huggingface_hub's own code wrote (tests/reference/hub-cache, with what its offline
/// readers made of it), and layouts built here with real symbolic links from the project's llama-tiny checkpoint.
/// Tests that set HF_HUB_CACHE or redirect the console run in the console collection, one at a time.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class HubCacheTests
{
    private const string Id = "simile-tests/llama-tiny";
    private static string HubMade => Path.Combine(TestPaths.Reference, "hub-cache", "hub");
    private static string LlamaTiny => Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
    private static readonly string[] Texts = ["The cat sat on the mat.", "cosmos 2024"];

    private static JsonDocument Expected() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "hub-cache", "expected.json")));


    private static void WithEnvironment(IReadOnlyDictionary<string, string?> values, Action body)
    {
        var saved = values.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (k, v) in values) Environment.SetEnvironmentVariable(k, v);
            body();
        }
        finally
        {
            foreach (var (k, v) in saved) Environment.SetEnvironmentVariable(k, v);
        }
    }

    private static void WithCache(string root, Action body) =>
        WithEnvironment(new Dictionary<string, string?> { ["HF_HUB_CACHE"] = root, ["HUGGINGFACE_HUB_CACHE"] = null }, body);

    // ------------------------------------------------------------------ against huggingface_hub's own readers

    [Fact]
    public void CacheLocationFollowsHuggingFaceHubForEveryEnvironment()
    {
        using var doc = Expected();
        int n = 0;
        foreach (var c in doc.RootElement.GetProperty("cache_locations").EnumerateArray())
        {
            var env = c.GetProperty("environment").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            env["HOME"] = "/home/u";
            var (root, _) = HubCache.Locate(name => env.GetValueOrDefault(name));
            Assert.Equal(c.GetProperty("HF_HUB_CACHE").GetString(), root);
            n++;
        }
        Assert.Equal(11, n);
        // a variable set to the empty string counts as unset (documented difference: Python would use the current folder)
        Assert.Equal("/h/hub", HubCache.Locate(name => name switch { "HF_HUB_CACHE" => "", "HF_HOME" => "/h", "HOME" => "/home/u", _ => null }).Root);
    }

    [LinkedCacheFact]
    public void EveryRevisionResolvesToTheSnapshotHuggingFaceHubReturns()
    {
        using var doc = Expected();
        var cache = new HubCache(HubMade);
        foreach (var route in doc.RootElement.GetProperty("snapshot_download").EnumerateArray())
        {
            string? revision = route.GetProperty("revision").GetString();
            if (route.TryGetProperty("snapshot", out var snap))
            {
                var s = cache.Resolve(Id, revision);
                Assert.Equal(Path.Combine(HubMade, snap.GetString()!), s.Folder);
            }
            else
            {
                var e = Assert.Throws<SimileException>(() => cache.Resolve(Id, revision));
                Assert.Contains(Path.Combine(HubMade, "models--simile-tests--llama-tiny", "refs", revision!), e.Message);
                Assert.DoesNotContain('\n', e.OneLine);
            }
        }
    }

    [LinkedCacheFact]
    public void FileSizesThroughTheLinksAreTheBlobSizes()
    {
        using var doc = Expected();
        int checkedFiles = 0;
        foreach (var f in doc.RootElement.GetProperty("try_to_load_from_cache").EnumerateArray())
        {
            var s = new HubCache(HubMade).Resolve(Id, f.GetProperty("revision").GetString());
            string path = Path.Combine(s.Folder, f.GetProperty("file").GetString()!);
            if (f.GetProperty("path").ValueKind == JsonValueKind.Null)
            {
                Assert.False(LinkedFile.Exists(path));
                continue;
            }
            Assert.Equal(Path.Combine(HubMade, f.GetProperty("path").GetString()!), path);
            Assert.True(LinkedFile.IsLink(path));
            Assert.Equal(f.GetProperty("link").GetString(), new FileInfo(path).LinkTarget);
            Assert.Equal(f.GetProperty("size").GetInt64(), LinkedFile.Length(path));
            Assert.NotEqual(LinkedFile.Length(path), new FileInfo(path).Length);   // what was read before: the link's own size
            checkedFiles++;
        }
        Assert.Equal(5, checkedFiles);
    }

    [LinkedCacheFact]
    public void ScanCountsEachBlobOnceAsScanCacheDirDoes()
    {
        using var doc = Expected();
        var scan = doc.RootElement.GetProperty("scan_cache_dir");
        var repos = new HubCache(HubMade).Scan();
        var expected = scan.GetProperty("repos")[0];
        var repo = Assert.Single(repos);
        Assert.Equal(expected.GetProperty("repo_id").GetString(), repo.Id);
        Assert.Null(repo.Problem);
        Assert.Equal(681412, repo.SizeOnDisk);
        Assert.Equal(expected.GetProperty("size_on_disk").GetInt64(), repo.SizeOnDisk);
        foreach (var v in expected.GetProperty("revisions").EnumerateArray())
        {
            var mine = repo.Revisions.Single(r => r.Commit == v.GetProperty("commit_hash").GetString());
            Assert.Equal(v.GetProperty("size_on_disk").GetInt64(), mine.SizeOnDisk);
            Assert.Equal(v.GetProperty("refs").EnumerateArray().Select(x => x.GetString()!).ToList(), mine.Refs);
        }
        Assert.Equal(["main"], repo.Revisions[0].Refs);   // main first
    }

    // ------------------------------------------------------------------ every route opens the same model

    private static float[][] HiddenOf(string nameOrPath, out string name)
    {
        using var m = ModelCatalogue.ResolveTransformer(nameOrPath);
        name = m.Info.Name;
        return m.Run(Texts, withAttention: false).SelectMany(r => r.Hidden).ToArray();
    }

    [LinkedCacheFact]
    public void HiddenStatesThroughTheCacheEqualThePlainFolder()
    {
        var plain = HiddenOf(LlamaTiny, out _);
        var main = new HubCache(HubMade).Resolve(Id);
        var v1 = new HubCache(HubMade).Resolve(Id, "v1");
        WithCache(HubMade, () =>
        {
            var routes = new (string Route, string Name)[]
            {
                (Id, Id),                                                   // org/name (main: the sharded checkpoint)
                ("hf:" + Id, Id),
                ("hf:" + Id + "@main", Id),
                ("hf:" + Id + "@v1", Id + "@v1"),                           // the single-file checkpoint
                ("hf:" + Id + "@" + v1.Commit, Id + "@v1"),                  // a commit is shown by the ref naming it
                (Id + "@" + main.Commit, Id),
                (main.RepoFolder, Id),                                      // models--org--name/ → refs/main
                (main.Folder, Id),                                          // snapshots/<commit>/
                (v1.Folder, Id + "@v1"),
            };
            foreach (var (route, expectedName) in routes)
            {
                var hidden = HiddenOf(route, out string name);
                Assert.Equal(expectedName, name);
                Assert.Equal(expectedName, ModelCatalogue.DisplayName(route));
                Assert.Equal(plain.Length, hidden.Length);
                for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], hidden[i]);   // bit for bit
            }
        });
    }

    // ------------------------------------------------------------------ layouts built here, with real links

    /// <summary>Writes llama-tiny into a hub cache as huggingface_hub lays it out: blobs by sha256, relative links, refs/main.</summary>
    private static (string Root, string Repo, string Snapshot) BuildCache(string dir, string commit = "0123456789abcdef0123456789abcdef01234567", bool absolute = false)
    {
        string root = Path.Combine(dir, "hub");
        string repo = Path.Combine(root, "models--tiny-org--llama-tiny");
        string snapshot = Path.Combine(repo, "snapshots", commit);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        foreach (var f in Directory.GetFiles(LlamaTiny))
        {
            byte[] bytes = File.ReadAllBytes(f);
            string etag = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
            string blob = Path.Combine(repo, "blobs", etag);
            File.WriteAllBytes(blob, bytes);
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(f)), absolute ? blob : "../../blobs/" + etag);
        }
        File.WriteAllText(Path.Combine(repo, "refs", "main"), commit);
        return (root, repo, snapshot);
    }

    private static SimileException OneLineError(Action a)
    {
        var e = Assert.Throws<SimileException>(a);
        Assert.DoesNotContain('\n', e.OneLine);
        return e;
    }

    [Fact]
    public void AbsoluteAndRelativeLinksBothOpen()
    {
        using var tmp = new TempFolder();
        var rel = BuildCache(Path.Combine(tmp.Path, "rel"));
        var abs = BuildCache(Path.Combine(tmp.Path, "abs"), absolute: true);
        Assert.StartsWith("../../blobs/", new FileInfo(Path.Combine(rel.Snapshot, "model.safetensors")).LinkTarget);
        Assert.StartsWith("/", new FileInfo(Path.Combine(abs.Snapshot, "model.safetensors")).LinkTarget);
        var plain = HiddenOf(LlamaTiny, out _);
        foreach (var root in new[] { rel.Root, abs.Root })
            WithCache(root, () =>
            {
                var hidden = HiddenOf("tiny-org/llama-tiny", out string name);
                Assert.Equal("tiny-org/llama-tiny", name);
                for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], hidden[i]);
            });
        // the symptom of the issue: safetensors read the link's 76 bytes as the file's size
        using var f = SafetensorsFile.Open(Path.Combine(rel.Snapshot, "model.safetensors"));
        Assert.Equal(new FileInfo(Path.Combine(LlamaTiny, "model.safetensors")).Length, f.FileLength);
    }

    [Fact]
    public void DanglingLoopingAndMissingGiveOneLineNamingWhereItLooked()
    {
        using var tmp = new TempFolder();
        var c = BuildCache(tmp.Path);
        WithCache(c.Root, () =>
        {
            // a blob deleted: the link dangles
            string link = Path.Combine(c.Snapshot, "tokenizer.json");
            string blob = File.ResolveLinkTarget(link, true)!.FullName;
            File.Move(blob, blob + ".away");
            var e = OneLineError(() => ModelCatalogue.ResolveTransformer("tiny-org/llama-tiny").Dispose());
            Assert.Contains($"'{link}' is a symbolic link to '../../blobs/", e.Message);
            Assert.Contains("leads nowhere", e.Message);
            Assert.Contains("hf download", e.Fix);
            File.Move(blob + ".away", blob);

            // a link that loops
            string weights = Path.Combine(c.Snapshot, "model.safetensors");
            File.Delete(weights);
            File.CreateSymbolicLink(weights, "model.safetensors");
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("tiny-org/llama-tiny").Dispose());
            Assert.Contains($"'{weights}' is a symbolic link that loops", e.Message);

            // refs/main missing: named, with the snapshots that are there
            File.Move(Path.Combine(c.Repo, "refs", "main"), Path.Combine(c.Repo, "refs", "old"));
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("tiny-org/llama-tiny").Dispose());
            Assert.Contains(Path.Combine(c.Repo, "refs", "main"), e.Message);
            Assert.Contains("refs: old; snapshots: 0123456789ab", e.Message);
            e = OneLineError(() => ModelCatalogue.ResolveTransformer(c.Repo).Dispose());   // the repository folder: the same
            Assert.Contains(Path.Combine(c.Repo, "refs", "main"), e.Message);

            // a ref to a commit whose snapshot is missing
            File.WriteAllText(Path.Combine(c.Repo, "refs", "main"), "fedcba9876543210fedcba9876543210fedcba98");
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("tiny-org/llama-tiny").Dispose());
            Assert.Contains(Path.Combine(c.Repo, "snapshots", "fedcba9876543210fedcba9876543210fedcba98"), e.Message);

            // a ref that holds no commit hash
            File.WriteAllText(Path.Combine(c.Repo, "refs", "main"), "not\na hash");
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("tiny-org/llama-tiny").Dispose());
            Assert.Contains("holds 'not?a hash'", e.Message);

            // not in the cache: names the folder it looked for and where the cache came from
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("other-org/absent").Dispose());
            Assert.Contains(Path.Combine(c.Root, "models--other-org--absent"), e.Message);
            Assert.Contains("from HF_HUB_CACHE", e.Message);
            Assert.Contains("hf download other-org/absent", e.Fix);

            // a bare word not in the cache is an unknown name (likely a mistyped catalogue name), not a cache miss
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("minlm").Dispose());
            Assert.StartsWith("unknown model 'minlm'", e.Message);
            Assert.Contains("minilm, arctic-xs, glove-100d", e.Fix);

            // hf: with a malformed id
            e = OneLineError(() => ModelCatalogue.ResolveTransformer("hf:bad--id/x").Dispose());
            Assert.Contains("not a Hugging Face model reference", e.Message);
        });
    }

    [Fact]
    public void ALocalFolderWinsOverTheCacheAndCatalogueNamesOverBoth()
    {
        // The id-shaped folder is made relative to the current folder (not changed: other tests run meanwhile),
        // under a fresh organisation name, and removed afterwards.
        using var tmp = new TempFolder();
        var c = BuildCache(tmp.Path);
        string org = "simile-test-" + Guid.NewGuid().ToString("N")[..12];
        Directory.Move(c.Repo, Path.Combine(c.Root, $"models--{org}--llama-tiny"));
        string local = Path.Combine(Environment.CurrentDirectory, org);
        try
        {
            WithCache(c.Root, () =>
            {
                using (var m = ModelCatalogue.ResolveTransformer($"{org}/llama-tiny"))   // no such folder yet: the cache
                    Assert.Equal($"{org}/llama-tiny", m.Info.Name);
                Directory.CreateDirectory(Path.Combine(local, "llama-tiny"));
                // an existing folder named like the id is that folder (not a model folder: no config.json), not the cache
                var e = OneLineError(() => ModelCatalogue.ResolveTransformer($"{org}/llama-tiny").Dispose());
                Assert.Contains("not a Hugging Face model folder", e.Message);
                using (var m = ModelCatalogue.ResolveTransformer($"hf:{org}/llama-tiny"))   // hf: always means the cache
                    Assert.Equal($"{org}/llama-tiny", m.Info.Name);
                Assert.Null(ModelCatalogue.HubSnapshotOf("minilm"));
            });
        }
        finally
        {
            if (Directory.Exists(local)) Directory.Delete(local, recursive: true);
        }
    }

    [Fact]
    public void VectorFilesOpenThroughLinks()
    {
        using var tmp = new TempFolder();
        var sb = new System.Text.StringBuilder("20 10\n");
        for (int i = 0; i < 20; i++)
            sb.Append("w").Append(i).Append(string.Concat(Enumerable.Range(0, 10).Select(j => " " + (i * 0.5 + j).ToString(System.Globalization.CultureInfo.InvariantCulture)))).Append('\n');
        Directory.CreateDirectory(tmp.File("blobs"));
        File.WriteAllText(tmp.File("blobs/abc"), sb.ToString());
        File.CreateSymbolicLink(tmp.File("v.vec"), "blobs/abc");
        Assert.True(new FileInfo(tmp.File("v.vec")).Length < 200 * 2);   // the link alone is too short for the header's promise
        using var v = ModelCatalogue.Resolve(tmp.File("v.vec"));
        Assert.Equal(20, v.VocabularyWords().Count);
        Assert.Equal(10, v.Info.Dims);
    }

    [Fact]
    public void AGgufFileInTheCacheOpensThroughItsLink()
    {
        using var tmp = new TempFolder();
        string root = Path.Combine(tmp.Path, "hub");
        string repo = Path.Combine(root, "models--tiny-org--llama-tiny-GGUF");
        const string commit = "00000000000000000000000000000000000000aa";
        string gguf = Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf", "llama-tiny-Q8_0-embd.gguf");
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "snapshots", commit));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.Copy(gguf, Path.Combine(repo, "blobs", "abc"));
        File.CreateSymbolicLink(Path.Combine(repo, "snapshots", commit, "llama-tiny-Q8_0.gguf"), "../../blobs/abc");
        File.WriteAllText(Path.Combine(repo, "refs", "main"), commit);
        WithCache(root, () =>
        {
            string local = ModelCatalogue.Locate("tiny-org/llama-tiny-GGUF");
            Assert.Equal(Path.Combine(repo, "snapshots", commit, "llama-tiny-Q8_0.gguf"), local);
            using var f = GgufFile.Open(local);
            Assert.Equal(new FileInfo(gguf).Length, f.FileLength);
            Assert.Equal(("llama", "native", (string?)null), ModelCatalogue.Capability(local));
            using var viaCache = ModelCatalogue.Resolve("hf:tiny-org/llama-tiny-GGUF");
            using var direct = ModelCatalogue.Resolve(gguf);
            Assert.Equal("tiny-org/llama-tiny-GGUF", viaCache.Info.Name);                // the one GGUF of a snapshot: the id
            Assert.Equal("tiny-org/llama-tiny-GGUF", ModelCatalogue.DisplayName(local));
            Assert.Equal("llama-tiny-Q8_0-embd", direct.Info.Name);                       // elsewhere: the file name
            var a = viaCache.Vectors(["cosmos"], SubwordPolicy.Mean);
            var b = direct.Vectors(["cosmos"], SubwordPolicy.Mean);
            Assert.Equal(b.Vectors.Values, a.Vectors.Values);
        });
    }

    // ------------------------------------------------------------------ the CLI: models, outputs named by id, grid plans

    [LinkedCacheFact]
    public void ModelsListsTheCacheAndOutputsNameTheId()
    {
        using var tmp = new TempFolder();
        WithCache(HubMade, () =>
        {
            var r = CliRunner.Run("models");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains($"Hugging Face cache at {HubMade} (from HF_HUB_CACHE; 1 model;", r.Stdout);
            var row = r.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith(Id, StringComparison.Ordinal));
            Assert.Contains("main=4feb6a4d3c1e, v1=85c72244dd01", row);
            Assert.Contains("0.68 MB", row);
            Assert.Contains("LlamaForCausalLM", row);
            Assert.EndsWith("native", row.TrimEnd());
            Assert.Contains("minilm", r.Stdout);   // the catalogue lines stay

            var j = CliRunner.Run("models", "--json");
            Assert.True(j.ExitCode == 0, j.ToString());
            using var doc = JsonDocument.Parse(j.Stdout);
            var m = doc.RootElement.GetProperty("huggingface_cache").GetProperty("models")[0];
            Assert.Equal(Id, m.GetProperty("id").GetString());
            Assert.Equal(681412, m.GetProperty("size_on_disk").GetInt64());
            Assert.Equal(2, m.GetProperty("revisions").GetArrayLength());

            string words = tmp.File("w.tsv");
            File.WriteAllText(words, "word\tcategory\ncat\tanimal\ndog\tanimal\ncar\tvehicle\nbus\tvehicle\n");
            var v = CliRunner.Run("vectors", "-m", Id, "--words", words, "--layer", "all", "--out", tmp.File("v.npy"));
            Assert.True(v.ExitCode == 0, v.ToString());
            using (var side = JsonDocument.Parse(File.ReadAllBytes(tmp.File("v.json"))))
                Assert.Equal(Id, side.RootElement.GetProperty("model").GetString());

            var l = CliRunner.Run("layers", "-m", "hf:" + Id + "@v1", "--words", words, "--out", tmp.File("layers"), "--permutations", "0");
            Assert.True(l.ExitCode == 0, l.ToString());
            string results = File.ReadAllText(tmp.File("layers/results.json"));
            Assert.Contains($"\"{Id}@v1\"", results);
            Assert.DoesNotContain(HubMade, results);

            var bad = CliRunner.Run("vectors", "-m", "hf:nobody/nothing", "--words", words, "--out", tmp.File("x.npy"));
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith("simile: error: model 'nobody/nothing' is not in the Hugging Face cache (no folder '", bad.Stderr);
            Assert.Single(bad.Stderr.Trim().Split('\n'));
            Assert.False(File.Exists(tmp.File("x.npy")));

            var plan = CliRunner.Run("grid", "plan", "-m", Id, "-m", "hf:" + Id + "@v1", "--words", words, "--out", tmp.File("grid"));
            Assert.True(plan.ExitCode == 0, plan.ToString());
            using var p = JsonDocument.Parse(File.ReadAllBytes(tmp.File("grid/plan.json")));
            var models = p.RootElement.GetProperty("models").EnumerateArray().Select(x => (x.GetProperty("name").GetString(), x.GetProperty("source").GetString())).ToList();
            Assert.Equal([("simile-tests-llama-tiny", "hf:" + Id + "@4feb6a4d3c1e0d7ab0e60e70b012ac49fe57ae0a"),
                          ("simile-tests-llama-tiny-v1", "hf:" + Id + "@85c72244dd01bade574bf5e653354884f218fb2c")], models);
            // the stored sources resolve when the tasks run
            for (int k = 0; k < 2; k++)
            {
                var x = CliRunner.Run("grid", "extract", "--plan", tmp.File("grid"), "--task", k.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(x.ExitCode == 0, x.ToString());
            }
            Assert.True(File.Exists(tmp.File("grid/vectors/simile-tests-llama-tiny.npy")));
            Assert.True(File.Exists(tmp.File("grid/vectors/simile-tests-llama-tiny-v1.npy")));
        });
    }

    [Fact]
    public void ModelsSaysWhichCachedArchitecturesRunNativelyAndWhichAreDamaged()
    {
        using var tmp = new TempFolder();
        var c = BuildCache(tmp.Path);
        // a second repository: an architecture the native pass does not run (token embeddings only)
        string other = Path.Combine(c.Root, "models--tiny-org--falcon-tiny");
        Directory.CreateDirectory(Path.Combine(other, "snapshots", "1111111111111111111111111111111111111111"));
        Directory.CreateDirectory(Path.Combine(other, "refs"));
        File.WriteAllText(Path.Combine(other, "refs", "main"), "1111111111111111111111111111111111111111");
        File.WriteAllText(Path.Combine(other, "snapshots", "1111111111111111111111111111111111111111", "config.json"),
            "{\"model_type\":\"falcon\",\"architectures\":[\"FalconForCausalLM\"],\"hidden_size\":64,\"vocab_size\":287}");
        // a third: refs/main names a commit with no snapshot
        string broken = Path.Combine(c.Root, "models--tiny-org--broken");
        Directory.CreateDirectory(Path.Combine(broken, "snapshots"));
        Directory.CreateDirectory(Path.Combine(broken, "refs"));
        File.WriteAllText(Path.Combine(broken, "refs", "main"), "2222222222222222222222222222222222222222");
        WithCache(c.Root, () =>
        {
            var r = CliRunner.Run("models");
            Assert.True(r.ExitCode == 0, r.ToString());
            string Row(string id) => r.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith(id + " ", StringComparison.Ordinal));
            Assert.EndsWith("LlamaForCausalLM  native", Row("tiny-org/llama-tiny").TrimEnd());
            Assert.EndsWith("falcon            token embeddings only", Row("tiny-org/falcon-tiny").TrimEnd());
            Assert.Contains("unusable: refs/main → 2222222222222222222222222222222222222222 has no snapshot folder", Row("tiny-org/broken"));
        });
    }
}
