using System.Text.RegularExpressions;
using Xunit;

namespace Simile.Tests.Architecture;

/// <summary>
/// The pipeline is the architecture: a stage may use only stages to its left,
/// Data ← Engine ← Similarity ← Comparison ← Inference ← Models ← Analyses ← Reports ← Cli.
/// This reads every <c>using Simile.X</c> directive and every fully qualified <c>Simile.X.</c> reference in src/ and fails on
/// an edge that points the other way. Within a stage, sub-folders do not reach sideways into each other
/// (<see cref="NoSubFolderUsesASibling"/>): siblings share through a type in the stage's own folder.
/// </summary>
public class DependencyDirectionTests
{
    private static readonly string[] Order = ["Data", "Engine", "Similarity", "Comparison", "Inference", "Models", "Analyses", "Reports", "Cli"];

    private static int Rank(string stage) => Array.IndexOf(Order, stage);

    /// <summary>The stage of a source file: its first folder under src/Simile (or Cli for src/Simile.Cli).</summary>
    private static string? StageOf(string srcRoot, string file)
    {
        string rel = Path.GetRelativePath(srcRoot, file).Replace('\\', '/');
        if (rel.StartsWith("Simile.Cli/")) return "Cli";
        if (!rel.StartsWith("Simile/")) return null;
        var parts = rel.Split('/');
        return parts.Length > 2 && Rank(parts[1]) >= 0 ? parts[1] : null;
    }

    [Fact]
    public void EveryStageUsesOnlyStagesToItsLeft()
    {
        string src = Path.Combine(TestPaths.RepoRoot, "src");
        // "using Simile.X", "Simile.X.Type", and namespace-relative "X.Type.Member" (inside namespace Simile.*)
        var reference = new Regex(@"\bSimile\.(Data|Engine|Similarity|Comparison|Inference|Models|Analyses|Reports|Cli)\b"
            + @"|(?<![\w.])(Data|Engine|Similarity|Comparison|Inference|Models|Analyses|Reports|Cli)\.[A-Z]\w*\.");
        var violations = new List<string>();
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains("/obj/") || file.Contains("/bin/")) continue;
            string? stage = StageOf(src, file);
            if (stage is null) continue;
            files++;
            foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                string code = line.Split("//")[0];
                if (code.TrimStart().StartsWith("namespace ")) continue;
                foreach (Match m in reference.Matches(code))
                {
                    string used = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                    if (Rank(used) > Rank(stage))
                        violations.Add($"{Path.GetRelativePath(src, file)}:{number}: {stage} uses {used}");
                }
            }
        }
        Assert.True(files > 50, $"only {files} source files found under {src}");
        Assert.True(violations.Count == 0, "edges against Data ← Engine ← Similarity ← Comparison ← Inference ← Models ← Analyses ← Reports ← Cli:\n"
            + string.Join("\n", violations));
    }

    /// <summary>
    /// Sub-folders that are the stage's shared toolkit, which every sibling may use as it uses the stage's own folder:
    /// the tokenizers (every model source tokenizes) and the memory planner (every analysis plans its memory).
    /// </summary>
    private static readonly HashSet<string> SharedSubFolders = ["Models/Tokenization", "Analyses/Planning"];

    /// <summary>
    /// Sideways edges that exist today, each with its reason; a new edge fails the test. Remove an entry when its edge goes.
    /// </summary>
    private static readonly Dictionary<string, string> KnownSidewaysEdges = new()
    {
        // The embedded models are ONNX graphs shipped in NuGet packages: reading them is the Onnx folder's job.
        ["Models/Embedded -> Models/Onnx"] = "embedded models are ONNX graphs",
        // The NuGet package cache lives beside the GloVe cache (one Simile cache root).
        ["Models/Embedded -> Models/Static"] = "PackageLocations takes the cache root from GloveNpmSource",
        // A grid plan's contexts are the layer analysis's context templates (ContextSpec).
        ["Analyses/Grid -> Analyses/Layers"] = "GridPlan and GridExtract use ContextSpec",
        // A target is evaluated on every representation of the layer stack (ContextualVectors, RepresentationStack).
        ["Analyses/Targets -> Analyses/Layers"] = "layers --target reads the representation stack of the layer analysis",
    };

    [Fact]
    public void NoSubFolderUsesASibling()
    {
        string root = Path.Combine(TestPaths.RepoRoot, "src", "Simile");
        var subFolders = Order.Where(stage => Directory.Exists(Path.Combine(root, stage))).ToDictionary(stage => stage,
            stage => Directory.GetDirectories(Path.Combine(root, stage)).Select(Path.GetFileName).OfType<string>()
                .Where(d => d is not ("bin" or "obj")).ToArray());
        var edges = new SortedDictionary<string, string>(StringComparer.Ordinal);   // edge → first place
        int files = 0;
        foreach (var (stage, subs) in subFolders)
            foreach (string from in subs)
            {
                var siblings = subs.Where(s => s != from && !SharedSubFolders.Contains($"{stage}/{s}")).ToArray();
                if (siblings.Length == 0) continue;
                string alternatives = string.Join("|", siblings);
                // "using Simile.Models.HuggingFace", "Simile.Models.HuggingFace.Type", and namespace-relative "HuggingFace.Type"
                var reference = new Regex($@"\bSimile\.{stage}\.({alternatives})\b|(?<![\w.])({alternatives})\.[A-Z]\w*");
                foreach (string file in Directory.EnumerateFiles(Path.Combine(root, stage, from), "*.cs", SearchOption.AllDirectories))
                {
                    files++;
                    foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
                    {
                        string code = line.Split("//")[0];
                        if (code.TrimStart().StartsWith("namespace ")) continue;
                        foreach (Match m in reference.Matches(code))
                        {
                            string to = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                            edges.TryAdd($"{stage}/{from} -> {stage}/{to}", $"{Path.GetRelativePath(root, file)}:{number}");
                        }
                    }
                }
            }
        Assert.True(files > 20, $"only {files} source files found in sub-folders of {root}");
        var unknown = edges.Where(e => !KnownSidewaysEdges.ContainsKey(e.Key)).Select(e => $"{e.Key} ({e.Value})").ToList();
        Assert.True(unknown.Count == 0, "sub-folders of one stage reach sideways into each other (share through a type in the stage's folder):\n"
            + string.Join("\n", unknown));
    }
}
