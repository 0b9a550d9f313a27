using System.Text.RegularExpressions;
using Xunit;

namespace Simile.Tests.Architecture;

/// <summary>Every file's namespace is its folder (src/Simile/Models/Gguf → Simile.Models.Gguf; tests/Simile.Tests/Cli → Simile.Tests.Cli).</summary>
public class NamespaceTests
{
    [Theory]
    [InlineData("src")]
    [InlineData("tests")]
    public void NamespacesEqualFolders(string top)
    {
        string root = Path.Combine(TestPaths.RepoRoot, top);
        var declaration = new Regex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline);
        var wrong = new List<string>();
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.Contains("/obj/") || rel.Contains("/bin/")) continue;
            var parts = rel.Split('/');
            if (parts.Length < 2 || !parts[0].StartsWith("Simile", StringComparison.Ordinal)) continue;   // bench, package checks
            string expected = string.Join('.', parts[..^1]);
            var m = declaration.Match(File.ReadAllText(file));
            if (!m.Success) continue;   // top-level statements
            files++;
            if (m.Groups[1].Value != expected) wrong.Add($"{top}/{rel}: namespace {m.Groups[1].Value}, folder {expected}");
        }
        Assert.True(files > 50, $"only {files} files under {root}");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
