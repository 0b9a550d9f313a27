namespace Simile.Tests;

/// <summary>Locates the repository root and the reference data kept inside it (tests/reference), so a bare clone runs every test.</summary>
internal static class TestPaths
{
    /// <summary>The folder holding Simile.slnx.</summary>
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "Simile.slnx")))
        ?? throw new InvalidOperationException("Simile.slnx not found above " + AppContext.BaseDirectory);

    /// <summary>tests/reference: the independent reference values (rsatoolbox, netrep, scipy, HF/llama.cpp) with their README.</summary>
    public static string Reference { get; } = Path.Combine(RepoRoot, "tests", "reference");

    private static string? FindUp(Func<string, bool> found)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (found(d.FullName)) return d.FullName;
        return null;
    }
}
