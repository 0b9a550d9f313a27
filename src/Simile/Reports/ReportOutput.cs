using System.Text;
using Simile.Data;

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

    /// <summary>The rendered bytes of one file (before or after writing).</summary>
    public byte[] Get(string name) => _files.First(f => f.Name == name).Bytes;

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
    public static void EnsureWritable(string folder) => AtomicFile.EnsureWritableFolder(Path.GetFullPath(folder));

    /// <summary>Writes every file atomically; returns their full paths.</summary>
    public IReadOnlyList<string> WriteAll()
    {
        EnsureWritable(Folder);
        var written = new List<string>(_files.Count);
        foreach (var (name, bytes) in _files)
        {
            string path = Path.Combine(Folder, name);
            AtomicFile.Write(path, stream => stream.Write(bytes));
            written.Add(path);
        }
        return written;
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
