using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Simile.Cli;
using Simile.Data;
using Simile.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace Simile.Tests.Cli;

/// <summary>Ctrl-C, full disks, permission and memory errors, two runs into one output, option ranges, --version.</summary>
[Collection(ConsoleCollection.Name)]
public class RobustnessTests(ITestOutputHelper output)
{
    private static string OneLine(CliRunner.Result r, int exitCode)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.ToString());
        return lines[0];
    }

    /// <summary>An items × features CSV big enough that writing its n×n dissimilarity matrix takes a while.</summary>
    private static string WriteMatrix(TempFolder dir, int rows, int cols)
    {
        var rng = new Random(5);
        var sb = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            sb.Append("item").Append(i);
            for (int j = 0; j < cols; j++) sb.Append(',').Append((rng.NextDouble() * 2 - 1).ToString("0.0000", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return dir.Write("m.csv", sb.ToString());
    }

    // ------------------------------------------------------------------ signals

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [Theory]
    [InlineData(2)]    // SIGINT (Ctrl-C)
    [InlineData(15)]   // SIGTERM
    public void InterruptDuringTheFinalWriteLeavesNoFileAndPrintsOneLine(int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        using var dir = new TempFolder();
        string input = WriteMatrix(dir, 2500, 8);
        string outDir = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(outDir);
        var psi = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath! : "dotnet")
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Simile.Cli.dll"));
        foreach (var a in new[] { "rdm", input, "--out", Path.Combine(outDir, "rdm.csv") }) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        // wait until the atomic writer's temporary file exists: the run is in its final write
        var sw = Stopwatch.StartNew();
        bool Writing() => Directory.EnumerateFileSystemEntries(outDir).Any(e => e.EndsWith(".tmp", StringComparison.Ordinal));
        while (sw.Elapsed < TimeSpan.FromSeconds(120) && !Writing() && !p.HasExited) Thread.Sleep(2);
        Assert.False(p.HasExited, "the run ended before its output was being written");
        string status = File.Exists($"/proc/{p.Id}/status") ? string.Join(" ", File.ReadAllLines($"/proc/{p.Id}/status").Where(l => l.StartsWith("Sig", StringComparison.Ordinal))) : "";
        output.WriteLine($"temp file seen after {sw.ElapsedMilliseconds} ms; {status}");
        int killed = kill(p.Id, signal);
        Assert.True(killed == 0, $"kill: errno {Marshal.GetLastPInvokeError()}, exited {p.HasExited}, after {sw.ElapsedMilliseconds} ms; {status}; files: {string.Join(", ", Directory.GetFileSystemEntries(outDir))}");
        Assert.True(p.WaitForExit(60_000), "no exit after the signal");
        string err = stderr.Result;
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}; {status}; stderr: {err}; stdout: {stdout.Result}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("simile: interrupted by " + (signal == 2 ? "Ctrl-C (SIGINT)" : "SIGTERM"), lines[0]);
        Assert.Contains("removed 2 unfinished temporary file", lines[0]);   // the half-written rdm.csv and the output lock
        Assert.Empty(Directory.GetFileSystemEntries(outDir));   // no temporary file, no half-written rdm.csv, no lock file
        _ = stdout.Result;
    }

    [Fact]
    public void TempFilesRegistryDeletesWhatIsOpenAndRefusesNewFiles()
    {
        // the registry is process-wide and DeleteAllAndClose is final, so only its bookkeeping is checked here
        using var dir = new TempFolder();
        using (var pending = AtomicFile.Create(dir.File("a.csv")))
        {
            Assert.Contains(pending.TempPath, TempFiles.Current());
            pending.Stream.WriteByte(1);
            pending.Commit();
            Assert.DoesNotContain(pending.TempPath, TempFiles.Current());
        }
        using (var abandoned = AtomicFile.Create(dir.File("b.csv")))
            Assert.Contains(abandoned.TempPath, TempFiles.Current());
        Assert.Equal(["a.csv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    // ------------------------------------------------------------------ disks, permissions, memory

    /// <summary>A real full disk: a 64 kB tmpfs (needs root and mount permission; otherwise the injected failure below covers the path).</summary>
    [TmpfsFact]
    public void DiskFullIsOneLineExitTwoAndLeavesNoFile()
    {
        using var dir = new TempFolder();
        string input = WriteMatrix(dir, 400, 4);   // 160,000 numbers: several MB of CSV
        string mount = Path.Combine(dir.Path, "tiny");
        Directory.CreateDirectory(mount);
        Assert.True(TmpfsFactAttribute.Mount(mount, out string problem), problem);
        try
        {
            // rdm checks free space before it writes (and refuses with one line); vectors has no such check, so its
            // 34 words × 8 representations × 384 floats (418 kB) hit the real ENOSPC inside the atomic writer.
            var pre = CliRunner.Run("rdm", input, "--out", Path.Combine(mount, "rdm.csv"));
            Assert.StartsWith("simile: error: ", OneLine(pre, 2));
            Assert.Empty(Directory.GetFileSystemEntries(mount));
            var r = CliRunner.Run("vectors", "--model", "minilm", "--layer", "all", "--out", Path.Combine(mount, "v.npy"));
            string line = OneLine(r, 2);
            Assert.StartsWith("simile: error: ", line);
            Assert.Contains("disk is full", line);
            Assert.DoesNotContain("   at ", r.Stderr);
            Assert.Empty(Directory.GetFileSystemEntries(mount));
        }
        finally
        {
            Process.Start("umount", [mount])!.WaitForExit(20_000);
        }
    }

    /// <summary>The same failure injected into the atomic writer's stream: SimileException naming the file, no temporary file.</summary>
    [Fact]
    public void AFullDiskWhileWritingBecomesAUserErrorAndTheTemporaryFileGoes()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<SimileException>(() => AtomicFile.Write(dir.File("out.csv"), s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("No space left on device", 28);
        }));
        Assert.Contains("out.csv", e.Message);
        Assert.Contains("disk is full", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void SystemErrorsAreOneLineWithTheDocumentedExitCodes()
    {
        var old = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        try
        {
            Assert.Equal(2, Program.ReportError(new IOException("No space left on device : '/out/x.csv'", 28)));
            Assert.Equal(2, Program.ReportError(new UnauthorizedAccessException("Access to the path '/root/x' is denied.")));
            Assert.Equal(1, Program.ReportError(new AggregateException(new OutOfMemoryException("Array dimensions exceeded supported range."))));
            Assert.Equal(1, Program.ReportError(new InvalidOperationException("something broke")));
        }
        finally { Console.SetError(old); }
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);   // one line each, no stack trace without --verbose
        Assert.StartsWith("simile: error: the disk is full", lines[0]);
        Assert.StartsWith("simile: error: permission denied", lines[1]);
        Assert.StartsWith("simile: error: out of memory", lines[2]);
        Assert.StartsWith("simile: internal error: System.InvalidOperationException: something broke", lines[3]);
        Assert.All(lines[..3], l => Assert.Contains(". Fix: ", l));
        Assert.Contains("--verbose", lines[3]);
    }

    // ------------------------------------------------------------------ two runs, one output

    [Fact]
    public void ASecondRunIntoAnOutputInUseIsRefused()
    {
        using var dir = new TempFolder();
        string input = WriteMatrix(dir, 5, 3);
        string outFile = dir.File("rdm.csv");
        using (OutputLock.ForFile(outFile))
        {
            var r = CliRunner.Run("rdm", input, "--out", outFile);
            string line = OneLine(r, 2);
            Assert.Contains("in use by another simile run", line);
            Assert.False(File.Exists(outFile));
        }
        Assert.Equal(0, CliRunner.Run("rdm", input, "--out", outFile).ExitCode);   // free again once the first run is done
        Assert.Equal(["m.csv", "rdm.csv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());

        string folder = dir.File("out");
        using (OutputLock.ForFolder(folder))
        {
            var e = Assert.Throws<SimileException>(() => OutputLock.ForFolder(folder));
            Assert.Contains("in use", e.Message);
        }
        using (OutputLock.ForFolder(folder)) { }
        Assert.False(Directory.Exists(folder));   // the lock file goes with the run, and so does the folder it created, left empty
        Directory.CreateDirectory(folder);
        using (OutputLock.ForFolder(folder)) Assert.Single(Directory.GetFileSystemEntries(folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));   // an existing folder stays, without the lock file
    }

    // ------------------------------------------------------------------ option ranges

    [Theory]
    [InlineData("compare", "--bootstrap", "2000000000", "0–100,000")]
    [InlineData("compare", "--permutations", "-1", "0–1,000,000")]
    [InlineData("compare", "--permutations", "1000001", "0–1,000,000")]
    [InlineData("rsa", "--bootstrap", "100001", "0–100,000")]
    [InlineData("layers", "--max-contexts", "0", "1–10,000")]
    [InlineData("vectors", "--max-contexts", "10001", "1–10,000")]
    [InlineData("compare", "--neighbours", "0", "1–1,000,000")]
    [InlineData("compare", "--alpha", "1.5", "0–1")]
    [InlineData("compare", "--alpha", "NaN", "0–1")]
    [InlineData("layers", "--rbf-threshold", "0", "> 0–1,000")]
    [InlineData("compare", "--memory", "1025TB", "1 B–1,024 TB")]
    [InlineData("rsa", "--memory", "2000TB", "1 B–1,024 TB")]
    [InlineData("grid plan", "--shards", "100000000", "1–10,000")]
    [InlineData("grid merge", "--shards", "0", "1–10,000")]
    [InlineData("grid sbatch", "--throttle", "0", "1–1,000,000")]
    [InlineData("grid sbatch", "--cpus-per-task", "10001", "1–10,000")]
    [InlineData("grid extract", "--task", "-1", "0–1,000,000")]
    public void AValueOutsideItsRangeIsRefusedNamingTheRange(string verb, string option, string value, string range)
    {
        string[] args = verb switch
        {
            "compare" => ["compare", "examples/model-a.csv", "examples/model-b.csv", option, value],
            "rsa" => ["rsa", "--model", "a", "--model", "b", option, value],
            "layers" => ["layers", "--model", "minilm", option, value],
            "grid plan" => ["grid", "plan", "-m", "minilm", "--out", "grid-out", option, value],
            "grid merge" or "grid sbatch" or "grid extract" => ["grid", verb[5..], "--plan", "grid-out", option, value],
            _ => ["vectors", "--model", "minilm", "--out", "v.npy", option, value],
        };
        var r = CliRunner.Run(args);
        string line = OneLine(r, 2);
        Assert.Contains($"{option} {value} is outside its range {range}", line);
        Assert.Contains("Fix:", line);
    }

    [Fact]
    public void EveryRangeIsDocumentedInTheReadme()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        foreach (var l in OptionLimits.All)
            Assert.Contains($"| `{l.Option}` | {l.MinText} | {l.MaxText} |", readme);
    }

    // ------------------------------------------------------------------ --version, vectors with one word

    [Fact]
    public void VersionFlagAndVerbPrintTheSameVersion()
    {
        var flag = CliRunner.Run("--version");
        var verb = CliRunner.Run("version");
        Assert.Equal(0, flag.ExitCode);
        Assert.Equal(verb.Stdout, flag.Stdout);
        Assert.Matches(@"^\d+\.\d+\.\d+\n$", flag.Stdout);
    }

    [Fact]
    public void VectorsExportsOneOrTwoWords()
    {
        using var dir = new TempFolder();
        string vec = dir.Write("tiny.txt", "cat 1 2 3\ndog 4 5 6\nsun 7 8 9\n");
        string one = dir.Write("one.tsv", "word\tcategory\ndog\tanimal\n");
        var r = CliRunner.Run("vectors", "--model", vec, "--words", one, "--out", dir.File("one.npy"));
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(dir.File("one.npy"));
        Assert.Equal([1, 1, 3], npy.Shape);
        Assert.Equal([4f, 5f, 6f], npy.Float32!);

        string two = dir.Write("two.tsv", "word\tcategory\nsun\tsky\ncat\tanimal\n");
        r = CliRunner.Run("vectors", "--model", vec, "--words", two, "--out", dir.File("two.npy"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal([7f, 8f, 9f, 1f, 2f, 3f], NpyFile.Read(dir.File("two.npy")).Float32!);

        // analyses that compare pairs keep their minimum of 3
        var rsa = CliRunner.Run("rsa", "--model", vec, "--model", vec, "--words", two, "--out", dir.File("rsa"));
        Assert.Contains("at least 3", OneLine(rsa, 2));
    }
}

/// <summary>
/// A fact that needs a real tmpfs mount (root with CAP_SYS_ADMIN): tried once when the tests are discovered; without
/// it the test is reported as skipped, with the reason (the injected full-disk test covers the same path everywhere).
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        string probe = Path.Combine(Path.GetTempPath(), "simile-tmpfs-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            if (!Mount(probe, out string problem)) return "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): " + problem;
            Process.Start("umount", [probe])!.WaitForExit(20_000);
            return null;
        }
        finally
        {
            try { Directory.Delete(probe); } catch (IOException) { }
        }
    });

    public TmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }

    /// <summary>Mounts a 64 kB tmpfs on <paramref name="folder"/>; false with mount's message when it cannot.</summary>
    public static bool Mount(string folder, out string problem)
    {
        problem = "";
        try
        {
            var m = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder]) { RedirectStandardError = true, UseShellExecute = false });
            if (m is not null && m.WaitForExit(20_000) && m.ExitCode == 0) return true;
            problem = m?.StandardError.ReadToEnd().Trim() ?? "mount did not start";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            problem = e.Message;   // no mount program
        }
        return false;
    }
}
