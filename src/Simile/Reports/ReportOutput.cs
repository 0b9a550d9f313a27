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

    /// <summary>Writes every file atomically; returns their full paths.</summary>
    public IReadOnlyList<string> WriteAll()
    {
        OutputPath.CheckFolder(Folder);
        var written = new List<string>(_files.Count);
        foreach (var (name, bytes) in _files)
        {
            string path = Path.Combine(Folder, name);
            AtomicFile.Write(path, stream => stream.Write(bytes));
            written.Add(path);
        }
        return written;
    }
}
