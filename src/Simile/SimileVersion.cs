using System.Reflection;

namespace Simile;

/// <summary>Simile's version: the NuGet package version (set once, in Directory.Build.props), as the assembly records it.</summary>
public static class SimileVersion
{
    /// <summary>The package version, e.g. "0.2.0" (the assembly's informational version without build metadata).</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(SimileVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrWhiteSpace(informational))
        {
            int plus = informational.IndexOf('+');
            return plus >= 0 ? informational[..plus] : informational;
        }
        return typeof(SimileVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
