using System.Text;

namespace Simile.Data;

/// <summary>
/// The one set of output-path checks, run before any long work starts so that a wrong path fails in a second, not
/// after an hour: a file output must have a supported extension and must not be a folder, and its folder must be
/// writable; a folder output must not be a file and must be writable. Every check throws <see cref="SimileException"/>
/// with a fix. Writing itself goes through <see cref="AtomicFile"/> (no half-written outputs).
/// </summary>
public static class OutputPath
{
    /// <summary>
    /// Checks an output file: its extension is one of <paramref name="extensions"/> (when given), it is not a folder,
    /// and its folder is writable (created when <paramref name="createFolder"/>; otherwise only an existing folder is
    /// probed and a missing one is left to be created when the file is written).
    /// </summary>
    public static void CheckFile(string path, IReadOnlyList<string>? extensions = null, bool createFolder = true,
        string? extensionFix = null)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (extensions is not null && !extensions.Contains(ext))
            throw new SimileException($"output '{path}': unsupported file type '{(ext.Length == 0 ? "(none)" : ext)}'",
                extensionFix ?? $"name the output with one of {string.Join(", ", extensions)}");
        if (Directory.Exists(path))
            throw new SimileException($"output '{path}' is a folder, not a file",
                "give a file name inside it, e.g. " + Path.Combine(path, "out" + (extensions is { Count: > 0 } ? extensions[0] : ".csv")));
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        if (createFolder || Directory.Exists(folder)) CheckFolder(folder);
    }

    /// <summary>Checks an output folder: creates it if needed and checks that files can be created in it.</summary>
    public static void CheckFolder(string folder) => AtomicFile.EnsureWritableFolder(Path.GetFullPath(string.IsNullOrEmpty(folder) ? "." : folder));

    /// <summary>Checks an output folder without creating it: it must not be an existing file (it is created when written).</summary>
    public static void CheckFolderName(string folder)
    {
        if (File.Exists(folder))
            throw new SimileException($"output folder '{folder}' is an existing file", "give a folder name for --out (it is created if needed)");
    }

    /// <summary>A model or word name made safe for a file name: anything but letters, digits, '.', '_' and '-' becomes '-'.</summary>
    public static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        string s = sb.ToString().Trim('-', '.');
        return s.Length == 0 ? "model" : s;
    }
}
