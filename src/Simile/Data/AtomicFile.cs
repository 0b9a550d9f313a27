namespace Simile.Data;

/// <summary>
/// All-or-nothing output files: bytes go to a temporary name in the target's own folder (same file system,
/// so the final rename is atomic) and are moved over the target only when writing finished. If writing
/// fails the temporary file is deleted and an existing target is left untouched, so a reader never sees a
/// half-written output.
/// <code>
/// AtomicFile.Write("out/rdm.csv", stream => { ... });          // one call
/// using var pending = AtomicFile.Create("out/big.npy");        // or: open, write, commit
/// pending.Stream.Write(bytes); pending.Commit();               // Dispose without Commit deletes the temp
/// </code>
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        using var pending = Create(path);
        try
        {
            write(pending.Stream);
        }
        catch (IOException e) when (DiskErrors.IsDiskFull(e))
        {
            throw new SimileException($"cannot write output file '{path}': the disk is full ({e.Message})",
                "free disk space, or write to another folder (--out)", e);
        }
        pending.Commit();
    }

    /// <summary>Writes UTF-8 text (no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text)
        => Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            w.Write(text);
        });

    /// <summary>Writes UTF-8 text (no BOM, '\n' line ends) through a writer, atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
        => Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(w);
        });

    /// <summary>
    /// Opens a temporary file next to <paramref name="path"/>. Write to <see cref="PendingFile.Stream"/>, then call
    /// <see cref="PendingFile.Commit"/>; disposing without committing deletes the temporary file.
    /// </summary>
    public static PendingFile Create(string path)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (Directory.Exists(full))
            throw new SimileException($"output '{path}' is a folder, not a file", "give a file name (for example " + Path.Combine(path, "out.csv") + ")");
        EnsureWritableFolder(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        TempFiles.Register(temp);
        try
        {
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TempFiles.Unregister(temp);
            throw new SimileException($"cannot create a file in output folder '{folder}': {e.Message}",
                "choose a folder you can write to, or fix its permissions", e);
        }
        return new PendingFile(full, temp, stream);
    }

    /// <summary>
    /// Creates <paramref name="folder"/> if needed and checks up front that files can be created in it
    /// (writes and deletes a probe file). Throws <see cref="SimileException"/> naming the folder otherwise.
    /// </summary>
    public static void EnsureWritableFolder(string folder)
    {
        if (string.IsNullOrEmpty(folder)) folder = ".";
        if (File.Exists(folder))
            throw new SimileException($"output folder '{folder}' is an existing file", "choose a folder path, not a file");
        string probe = Path.Combine(folder, $".simile-write-probe.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            TryDelete(probe);
            throw new SimileException($"output folder '{folder}' is not writable: {e.Message}",
                "choose a folder you can write to (for example under your home folder), or fix its permissions", e);
        }
    }

    internal static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A temporary output file that becomes <see cref="TargetPath"/> on <see cref="Commit"/>.</summary>
public sealed class PendingFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _done;

    public string TargetPath { get; }
    public string TempPath { get; }
    public Stream Stream => _stream;

    internal PendingFile(string target, string temp, FileStream stream)
    {
        TargetPath = target; TempPath = temp; _stream = stream;
    }

    /// <summary>Flushes to disk and moves the temporary file over the target (replacing it).</summary>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException("already committed or disposed");
        try
        {
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            TempFiles.Commit(TempPath, () => File.Move(TempPath, TargetPath, overwrite: true));
            _done = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose();
            throw new SimileException($"cannot write output file '{TargetPath}': {(e is IOException io && DiskErrors.IsDiskFull(io) ? "the disk is full (" + e.Message + ")" : e.Message)}",
                "check free disk space and that the file is not open or read-only", e);
        }
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try { _stream.Dispose(); }
        catch (IOException) { }   // flushing the rest failed (disk full): the temporary file is deleted anyway
        AtomicFile.TryDelete(TempPath);
        TempFiles.Unregister(TempPath);
    }
}
