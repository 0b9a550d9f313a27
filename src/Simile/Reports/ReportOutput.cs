using System.Text;

namespace Simile.Reports;

/// <summary>
/// An output folder that receives a set of files all rendered in memory first: the folder is checked (created,
/// writable) before anything is written, and each file goes to a temporary name and is moved into place, so a
/// failure never leaves a half-written output behind.
/// </summary>
public sealed class ReportOutput
{
    private readonly List<(string Name, byte[] Bytes)> _files = [];

    public string Folder { get; }

    public ReportOutput(string folder)
    {
        Folder = Path.GetFullPath(string.IsNullOrWhiteSpace(folder) ? "." : folder);
    }

    public IReadOnlyList<string> Names => _files.Select(f => f.Name).ToList();

    public void Add(string name, byte[] bytes)
    {
        if (name.Contains('/') || name.Contains('\\')) throw new ArgumentException("file names only", nameof(name));
        _files.RemoveAll(f => f.Name == name);
        _files.Add((name, bytes));
    }

    public void AddText(string name, string text) => Add(name, new UTF8Encoding(false).GetBytes(text));

    public void AddFigure(Figure f)
    {
        Add(f.Name + ".png", f.Png);
        AddText(f.Name + ".svg", f.Svg);
    }

    /// <summary>Creates the folder if needed and checks that files can be created in it (before long work starts).</summary>
    public static void EnsureWritable(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new SimileException($"output folder '{folder}' is an existing file", "choose a folder path with --out, not a file");
        string probe = Path.Combine(full, $".simile-probe.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(full);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new SimileException($"output folder '{folder}' is not writable: {e.Message}",
                "choose a folder you can write to with --out, or fix its permissions", e);
        }
    }

    /// <summary>Writes every file atomically; returns their full paths.</summary>
    public IReadOnlyList<string> WriteAll()
    {
        EnsureWritable(Folder);
        var written = new List<string>(_files.Count);
        foreach (var (name, bytes) in _files)
        {
            string path = Path.Combine(Folder, name);
            WriteAtomically(path, bytes);
            written.Add(path);
        }
        return written;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                s.Write(bytes);
                s.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new SimileException($"cannot write output file '{path}': {e.Message}",
                "check free disk space and that the file is not open or read-only", e);
        }
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
