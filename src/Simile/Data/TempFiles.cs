namespace Simile.Data;

/// <summary>
/// Every temporary file or folder Simile has open right now (the atomic writer's <c>.NAME.PID.GUID.tmp</c>, the vector
/// cache's <c>*.tmp-*</c>, the npm download folder). On Ctrl-C / SIGTERM the CLI calls <see cref="DeleteAllAndClose"/>:
/// it removes them all and refuses new ones, so an interrupted run leaves nothing half-written behind. Moving a
/// finished temporary file into place goes through <see cref="Commit"/> under the same lock, so a file is either
/// moved completely or deleted, never both.
/// </summary>
public static class TempFiles
{
    private static readonly object Gate = new();
    private static readonly HashSet<string> Paths = new(StringComparer.Ordinal);
    private static bool _closed;

    /// <summary>Records <paramref name="path"/> before it is created; throws <see cref="OperationCanceledException"/> after shutdown began.</summary>
    public static void Register(string path)
    {
        lock (Gate)
        {
            if (_closed) throw new OperationCanceledException("Simile is stopping (interrupted)");
            Paths.Add(path);
        }
    }

    public static void Unregister(string path)
    {
        lock (Gate) Paths.Remove(path);
    }

    /// <summary>Runs <paramref name="move"/> (which turns <paramref name="temp"/> into a final file) unless shutdown began, then forgets the path.</summary>
    public static void Commit(string temp, Action move)
    {
        lock (Gate)
        {
            if (_closed) throw new OperationCanceledException("Simile is stopping (interrupted)");
            move();
            Paths.Remove(temp);
        }
    }

    /// <summary>Deletes every registered file and folder and refuses new ones; returns how many were removed.</summary>
    public static int DeleteAllAndClose()
    {
        lock (Gate)
        {
            _closed = true;
            int removed = 0;
            foreach (var p in Paths)
            {
                try
                {
                    if (File.Exists(p)) { File.Delete(p); removed++; }
                    else if (Directory.Exists(p)) { Directory.Delete(p, recursive: true); removed++; }
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            Paths.Clear();
            return removed;
        }
    }

    /// <summary>The registered paths (for tests).</summary>
    public static IReadOnlyList<string> Current()
    {
        lock (Gate) return Paths.ToList();
    }
}
