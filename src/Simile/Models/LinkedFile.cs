namespace Simile.Models;

/// <summary>
/// Model files reached through symbolic links. The Hugging Face cache keeps every file of a snapshot as a relative link
/// into <c>blobs/</c>, and users link model files and folders about. On Unix, .NET reports a link's own size
/// (<see cref="FileInfo.Length"/>) and <see cref="File.Exists"/> is true for a link that leads nowhere, so the model
/// readers ask here: whether a path leads to a file, and that file's size, with links followed as the operating system
/// follows them when it opens the file. A link that dangles or loops is one <see cref="SimileException"/> naming the link
/// and where it points.
/// </summary>
public static class LinkedFile
{
    /// <summary>
    /// True when <paramref name="path"/> leads to a file (through any number of symbolic links); false when nothing is
    /// there or it is a folder. A dangling or looping link throws.
    /// </summary>
    public static bool Exists(string path)
    {
        string full = Path.GetFullPath(path);
        var entry = new FileInfo(full);
        if (entry.LinkTarget is null) return entry.Exists;   // no link: FileInfo answers for the entry itself
        if (Directory.Exists(full)) return false;             // a link to a folder (Directory.Exists follows links)
        Follow(path, full, entry.LinkTarget);
        return true;
    }

    /// <summary>The size in bytes of the file <paramref name="path"/> leads to (the final target of its links).</summary>
    public static long Length(string path)
    {
        string full = Path.GetFullPath(path);
        var entry = new FileInfo(full);
        if (entry.LinkTarget is null) return entry.Length;
        Follow(path, full, entry.LinkTarget);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        return stream.Length;
    }

    /// <summary>True when the entry at <paramref name="path"/> is itself a symbolic link (followed or not).</summary>
    public static bool IsLink(string path) => new FileInfo(Path.GetFullPath(path)).LinkTarget is not null;

    /// <summary>
    /// Checks that a link leads to something, by opening it as the operating system resolves it (so a link under a linked
    /// folder resolves against the folder's real place, as the kernel does); the message names the link, its text and
    /// the end of the chain.
    /// </summary>
    private static void Follow(string path, string full, string linkText)
    {
        try
        {
            using var _ = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            string end = FinalTarget(full) ?? linkText;
            throw new SimileException($"'{path}' is a symbolic link to '{linkText}', which leads nowhere ('{end}' does not exist)",
                LinkFix(full), e);
        }
        catch (UnauthorizedAccessException)
        {
            // the file is there; reading it reports the permission problem where it happens
        }
        catch (IOException e)
        {
            if (IsLoop(full))
                throw new SimileException($"'{path}' is a symbolic link that loops ('{linkText}' leads back into the chain)", LinkFix(full), e);
            throw new SimileException($"'{path}' (a symbolic link to '{linkText}') cannot be opened: {e.Message}", LinkFix(full), e);
        }
    }

    private static string? FinalTarget(string full)
    {
        try { return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName; }
        catch (IOException) { return null; }
    }

    private static bool IsLoop(string full)
    {
        try { File.ResolveLinkTarget(full, returnFinalTarget: true); return false; }
        catch (IOException) { return true; }
    }

    /// <summary>The fix for a broken link: in a Hugging Face cache the blob is missing, elsewhere the link is wrong.</summary>
    private static string LinkFix(string full)
    {
        string norm = full.Replace('\\', '/');
        return norm.Contains("/snapshots/", StringComparison.Ordinal) && norm.Contains("/models--", StringComparison.Ordinal)
            ? "the Hugging Face cache is incomplete (its blob is missing): download the model again ('hf download ORG/NAME'), or delete the link"
            : "point the link at the file it stands for, or replace it by the file";
    }
}
