namespace Simile.Data;

/// <summary>Recognises the I/O errors that have a plain cause: a full disk (ENOSPC, EDQUOT; Windows ERROR_DISK_FULL).</summary>
public static class DiskErrors
{
    private const int Enospc = 28, Edquot = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070), WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool IsDiskFull(IOException e) =>
        e.HResult is Enospc or Edquot or WindowsDiskFull or WindowsHandleDiskFull
        || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase);
}
