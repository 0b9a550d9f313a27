namespace Simile.Tests;

/// <summary>Locates the shared reference data and the repository root from the test binary's folder.</summary>
internal static class TestPaths
{
    /// <summary>The folder holding reference/expected.json (env SIMILE_SHARED, else found by walking up).</summary>
    public static string Shared { get; } = FindShared();

    /// <summary>The folder holding Simile.slnx.</summary>
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "Simile.slnx")))
        ?? throw new InvalidOperationException("Simile.slnx not found above " + AppContext.BaseDirectory);

    private static string FindShared()
    {
        string? env = Environment.GetEnvironmentVariable("SIMILE_SHARED");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "reference", "expected.json")))
            return Path.GetFullPath(env);
        string? dir = FindUp(d => File.Exists(Path.Combine(d, "shared", "reference", "expected.json")));
        return dir is null
            ? throw new InvalidOperationException("shared/reference/expected.json not found above " + AppContext.BaseDirectory + "; set SIMILE_SHARED")
            : Path.Combine(dir, "shared");
    }

    private static string? FindUp(Func<string, bool> found)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (found(d.FullName)) return d.FullName;
        return null;
    }
}
