using System.Text.RegularExpressions;
using Xunit;

namespace Simile.Tests.Architecture;

/// <summary>
/// The pipeline is the architecture: a stage may use only stages to its left,
/// Data ← Engine ← Similarity ← Comparison ← Inference ← Models ← Analyses ← Reports ← Cli.
/// This reads every <c>using Simile.X</c> directive and every fully qualified <c>Simile.X.</c> reference in src/ and fails on
/// an edge that points the other way.
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
}
