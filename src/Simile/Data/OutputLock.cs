namespace Simile.Data;

/// <summary>
/// Keeps two runs from writing into the same output at once (for example seeds 1 and 2 started together with the same
/// <c>--out</c>): a lock file <c>.simile.lock</c> in the output folder (or <c>.NAME.simile.lock</c> next to an output
/// file), opened with <see cref="FileShare.None"/> (an exclusive advisory lock on Unix, released by the kernel even
/// when a run is killed) and held for the whole run. A second run is refused with one line.
/// </summary>
public sealed class OutputLock : IDisposable
{
    public const string FolderLockName = ".simile.lock";
    private readonly FileStream _stream;
    private string? _createdFolder;
    public string Path { get; }

    private OutputLock(string path, FileStream stream) { Path = path; _stream = stream; }

    /// <summary>Locks an output folder. A folder created for the lock is removed again if the run leaves it empty (a failed run leaves no folder).</summary>
    public static OutputLock ForFolder(string folder)
    {
        bool existed = Directory.Exists(folder);
        AtomicFile.EnsureWritableFolder(folder);
        var l = Take(System.IO.Path.Combine(folder, FolderLockName), $"output folder '{folder}'");
        if (!existed) l._createdFolder = folder;
        return l;
    }

    /// <summary>
    /// Locks one output file (the lock sits next to it, so other files of the folder stay free). Null when the folder does
    /// not exist yet: it is not created here, so a run that fails early leaves no folder behind.
    /// </summary>
    public static OutputLock? ForFile(string file)
    {
        string full = System.IO.Path.GetFullPath(file);
        string folder = System.IO.Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) return null;
        return Take(System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.simile.lock"), $"output file '{file}'");
    }

    private static OutputLock Take(string lockPath, string what)
    {
        try
        {
            var fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            fs.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
            fs.Write(pid);
            fs.Flush();
            TempFiles.Register(lockPath);   // an interrupted run removes its lock file too
            return new OutputLock(lockPath, fs);
        }
        catch (IOException e)
        {
            throw new SimileException($"{what} is in use by another simile run (lock {lockPath} is held)",
                "wait for the other run to finish, or give this run its own --out", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SimileException($"cannot lock {what}: {e.Message}", "choose an output folder you can write to", e);
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        TempFiles.Unregister(Path);
        try
        {
            if (_createdFolder is not null && Directory.Exists(_createdFolder) && !Directory.EnumerateFileSystemEntries(_createdFolder).Any())
                Directory.Delete(_createdFolder);
        }
        catch (IOException) { }   // another run put a file there meanwhile: the folder stays
        catch (UnauthorizedAccessException) { }
    }
}
