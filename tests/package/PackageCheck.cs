// Checks for tests/package/run.sh, compiled into the throw-away console project together with the README's library
// walk-through (part 1). It reads what the installed tool and the walk-through wrote, and the two packages in the feed.
// Usage (after the walk-through has run): PackageCheck.Run(feed, version, demoResultsJson, walkThroughResultsJson)
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

public static class PackageCheck
{
    private static int _failures;

    private static void Check(bool ok, string what)
    {
        Console.WriteLine((ok ? "ok:   " : "FAIL: ") + what);
        if (!ok) _failures++;
    }

    public static void Run(string[] args)
    {
        if (args.Length != 4) throw new ArgumentException("usage: <feed> <version> <demo results.json> <walk-through results.json>");
        string feed = args[0], version = args[1];
        Packages(feed, version);
        using var demo = JsonDocument.Parse(File.ReadAllText(args[2]));
        using var walk = JsonDocument.Parse(File.ReadAllText(args[3]));
        Demo(demo.RootElement);
        SameNumbers(demo.RootElement, walk.RootElement);
        Console.WriteLine(_failures == 0 ? "package check: all passed" : $"package check: {_failures} failed");
        Environment.Exit(_failures == 0 ? 0 : 1);
    }

    /// <summary>Both packages: id, SemVer version, licence expression, readme, repository, description; the tool is a DotnetTool with command simile.</summary>
    private static void Packages(string feed, string version)
    {
        Check(System.Text.RegularExpressions.Regex.IsMatch(version, @"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"), $"version {version} is SemVer");
        foreach (var (id, tool) in new[] { ("Simile", false), ("Simile.Tool", true) })
        {
            var path = Path.Combine(feed, $"{id}.{version}.nupkg");
            Check(File.Exists(path), $"{id}.{version}.nupkg is in the feed");
            if (!File.Exists(path)) continue;
            using var zip = ZipFile.OpenRead(path);
            var nuspecEntry = zip.Entries.Single(e => e.FullName == $"{id}.nuspec");
            XDocument nuspec;
            using (var s = nuspecEntry.Open()) nuspec = XDocument.Load(s);
            var ns = nuspec.Root!.Name.Namespace;
            var meta = nuspec.Root.Element(ns + "metadata")!;
            string? Get(string name) => meta.Element(ns + name)?.Value;
            Check(Get("id") == id && Get("version") == version, $"{id}: nuspec id and version");
            Check(meta.Element(ns + "license")?.Attribute("type")?.Value == "expression" && !string.IsNullOrWhiteSpace(Get("license")), $"{id}: licence expression ({Get("license")})");
            Check(Get("readme") == "README.md" && zip.GetEntry("README.md") is not null, $"{id}: README.md packed");
            Check(!string.IsNullOrWhiteSpace(meta.Element(ns + "repository")?.Attribute("url")?.Value), $"{id}: repository url");
            Check((Get("description") ?? "").Length > 40, $"{id}: description");
            if (tool)
            {
                Check(meta.Element(ns + "packageTypes")?.Elements(ns + "packageType").Any(t => t.Attribute("name")?.Value == "DotnetTool") == true, $"{id}: package type DotnetTool");
                var settings = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
                XDocument? s = null;
                if (settings is not null) using (var st = settings.Open()) s = XDocument.Load(st);
                Check(s?.Descendants("Command").Any(c => c.Attribute("Name")?.Value == "simile") == true, $"{id}: command name simile");
                Check(!zip.Entries.Any(e => e.Name.StartsWith("SentenceTransformers.", StringComparison.Ordinal)), $"{id}: model packages not bundled (fetched on first use)");
            }
            else
            {
                var deps = meta.Descendants(ns + "dependency").Select(d => d.Attribute("id")?.Value).ToList();
                Check(deps.Contains("Microsoft.ML.OnnxRuntime") && !deps.Any(d => d?.StartsWith("SentenceTransformers", StringComparison.Ordinal) == true),
                    $"{id}: dependencies {string.Join(", ", deps)}");
            }
        }
    }

    /// <summary>The installed tool's demo: three models, three pairs, numbers in range, the rotation control.</summary>
    private static void Demo(JsonElement d)
    {
        var models = d.GetProperty("models").EnumerateArray().ToList();
        Check(string.Join(",", models.Select(m => m.GetProperty("name").GetString())) == "minilm,arctic-xs,glove-100d", "demo: models minilm, arctic-xs, glove-100d");
        Check(string.Join(",", models.Select(m => $"{m.GetProperty("vocab_size").GetInt32()}x{m.GetProperty("dims").GetInt32()}")) == "30522x384,30522x384,341479x100",
            "demo: matrix shapes 30522×384, 30522×384, 341479×100");
        Check(d.GetProperty("words").GetArrayLength() == 34, "demo: 34 seed words");
        var pairs = d.GetProperty("pairs").EnumerateArray().ToList();
        Check(pairs.Count == 3, "demo: 3 pairs");
        foreach (var p in pairs)
        {
            var rsa = p.GetProperty("rsa");
            double r = rsa.GetProperty("pearson").GetDouble(), pv = rsa.GetProperty("p_value").GetDouble();
            var ci = rsa.GetProperty("ci95").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            string name = $"{p.GetProperty("a").GetString()} vs {p.GetProperty("b").GetString()}";
            Check(r > 0.3 && r <= 1 && ci[0] <= r && r <= ci[1], $"demo: {name} RSA r = {r:0.000} inside its interval [{ci[0]:0.000}, {ci[1]:0.000}]");
            Check(rsa.GetProperty("permutations").GetInt32() == 10000 && pv > 0 && pv < 0.01, $"demo: {name} p = {pv:G4} from 10,000 permutations");
            bool bothBert = name == "minilm vs arctic-xs";
            var direct = p.GetProperty("direct_correlation");
            Check(bothBert ? direct.ValueKind == JsonValueKind.Object && direct.GetProperty("mean").GetDouble() > 0.5 : direct.ValueKind == JsonValueKind.Null,
                $"demo: {name} direct correlation {(bothBert ? "high (shared lineage)" : "undefined (widths differ)")}");
        }
        var rot = d.GetProperty("rotation_control");
        Check(Math.Abs(rot.GetProperty("rsa_pearson").GetDouble() - 1) < 1e-9 && Math.Abs(rot.GetProperty("direct_correlation_mean").GetDouble()) < 0.05,
            "demo: rotation control RSA = 1, direct r ≈ 0");
    }

    /// <summary>The README walk-through (minilm and glove-100d) gives exactly the demo's numbers for that pair.</summary>
    private static void SameNumbers(JsonElement demo, JsonElement walk)
    {
        JsonElement Pair(JsonElement root) => root.GetProperty("pairs").EnumerateArray()
            .Single(p => p.GetProperty("a").GetString() == "minilm" && p.GetProperty("b").GetString() == "glove-100d");
        var a = Pair(demo).GetProperty("rsa");
        var b = Pair(walk).GetProperty("rsa");
        foreach (var key in new[] { "pearson", "spearman", "p_value", "spearman_p_value", "ci95", "permutations", "bootstrap_resamples" })
            Check(a.GetProperty(key).GetRawText() == b.GetProperty(key).GetRawText(),
                $"walk-through = demo: minilm vs glove-100d {key} {JsonSerializer.Serialize(b.GetProperty(key))}");
        Check(demo.GetProperty("words").GetRawText() == walk.GetProperty("words").GetRawText(), "walk-through = demo: the same words");
    }
}
