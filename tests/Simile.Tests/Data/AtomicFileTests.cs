using Simile.Data;
using Xunit;

namespace Simile.Tests.Data;

public class AtomicFileTests
{
    [Fact]
    public void WritesThroughATemporaryAndLeavesNothingElse()
    {
        using var dir = new TempFolder();
        string p = dir.File("sub/out.txt");
        AtomicFile.WriteAllText(p, "hello");
        Assert.Equal("hello", File.ReadAllText(p));
        Assert.Equal(["out.txt"], Directory.GetFiles(Path.GetDirectoryName(p)!).Select(Path.GetFileName));
        AtomicFile.WriteAllText(p, "again");
        Assert.Equal("again", File.ReadAllText(p));
    }

    [Fact]
    public void AFailedWriteKeepsTheOldFileAndDeletesTheTemporary()
    {
        using var dir = new TempFolder();
        string p = dir.Write("out.csv", "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(p, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(p));
        Assert.Equal(["out.csv"], dir.Files());

        using (var pending = AtomicFile.Create(dir.File("never.csv")))
            pending.Stream.Write("x"u8);   // disposed without Commit
        Assert.Equal(["out.csv"], dir.Files());
    }

    [Fact]
    public void UnwritableOutputFolderIsAClearUserError()
    {
        using var dir = new TempFolder();
        string file = dir.Write("plain.txt", "x");
        var e = Assert.Throws<SimileException>(() => AtomicFile.EnsureWritableFolder(file));
        Assert.Contains("is an existing file", e.Message);
        e = Assert.Throws<SimileException>(() => AtomicFile.WriteAllText(Path.Combine(file, "out.csv"), "y"));
        Assert.Contains("plain.txt", e.Message);
        e = Assert.Throws<SimileException>(() => AtomicFile.WriteAllText(dir.Path, "y"));
        Assert.Contains("is a folder", e.Message);
    }
}
