using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Simile.Analyses.Planning;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Analyses;

/// <summary>What <see cref="RdmExport.Write"/> wrote.</summary>
public sealed record RdmExportResult(int Items, DissimilarityKind Kind, string Path, NpyDType DType, long Bytes, ComparisonPlan Plan);

/// <summary>
/// The <c>rdm</c> verb: the square n×n dissimilarity matrix of a matrix's rows, streamed to <c>.npy</c> (float32 or
/// float64) or CSV/TSV by row blocks (<see cref="Dissimilarity.ForEachRowBlock"/>), never held whole. The plan
/// (memory: inputs + two row blocks) is checked against the budget and the file's size against the free disk space
/// before anything is computed; the file is written under a temporary name and moved into place.
/// </summary>
public static class RdmExport
{
    public static readonly IReadOnlyList<string> Extensions = [".csv", ".tsv", ".npy"];

    /// <summary>Plans the export: the one stage, its memory, against the budget.</summary>
    public static ComparisonPlan Plan(int n, int d, DissimilarityKind kind, long budget)
    {
        int rows = Dissimilarity.SquareBlockRows(n);
        long block = 2L * Math.Min(rows, n) * n * 8 + (long)Math.Min(rows, n) * n * 4;
        if (kind == DissimilarityKind.Correlation) block += 8L * n * d;
        var request = new ComparisonRequest(n, d, 0, kind, new HashSet<PairMeasure>(), 0, 0, budget);
        long inputs = 8L * n * d;
        var plan = new ComparisonPlan(request, false, [new PlanStep("rdm rows", $"streamed, {rows} rows per block", block)], inputs, inputs + block, []);
        if (plan.Fits) return plan;
        return plan with { Alternatives = [$"raise the budget with --memory {MemoryBudget.Hint(inputs + block + (block >> 3))}"] };
    }

    /// <summary>Bytes the output file will take: exact for .npy, an upper estimate for CSV/TSV.</summary>
    public static long OutputBytes(int n, string path, NpyDType dtype, IReadOnlyList<string>? names)
    {
        long cells = (long)n * n;
        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
            return NpyFile.HeaderBytes(dtype == NpyDType.Float32 ? "<f4" : "<f8", [n, n]).Length + cells * (dtype == NpyDType.Float32 ? 4 : 8);
        long nameBytes = names?.Sum(s => (long)Encoding.UTF8.GetByteCount(s) + 3) ?? 0;
        return cells * (dtype == NpyDType.Float32 ? 16 : 25) + 2 * nameBytes + n;
    }

    public static RdmExportResult Write(LabeledMatrix input, DissimilarityKind kind, string path, NpyDType dtype = NpyDType.Float64,
        long? memoryBudget = null, IProgress<double>? progress = null)
    {
        OutputPath.CheckFile(path, Extensions, extensionFix: "name the output .csv, .tsv or .npy");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        int n = input.Rows;
        if (n < 2)
            throw new SimileException($"'{input.Path}' has {n} item(s); a dissimilarity matrix needs at least 2", "give at least 2 rows");
        var plan = Plan(n, input.Cols, kind, memoryBudget ?? MemoryBudget.Default());
        plan.ThrowIfOverBudget("rdm");

        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        long bytes = OutputBytes(n, path, dtype, input.RowNames);
        long free = FreeBytes(folder);
        if (bytes > free)
            throw new SimileException(
                $"the {n:N0}×{n:N0} matrix needs about {MemoryBudget.Format(bytes)} on disk but '{folder}' has {MemoryBudget.Format(free)} free",
                ext == ".npy" && dtype == NpyDType.Float64 ? "write float32 (--dtype float32, half the size), or choose a disk with more room"
                : ext != ".npy" ? "write .npy (--dtype float32 is 4 bytes a value), or choose a disk with more room"
                : "choose a disk with more room, or fewer items");

        var names = input.RowNames;
        int blockRows = Dissimilarity.SquareBlockRows(n);
        using var pending = AtomicFile.Create(path);
        var stream = pending.Stream;
        if (ext == ".npy")
        {
            stream.Write(NpyFile.HeaderBytes(dtype == NpyDType.Float32 ? "<f4" : "<f8", [n, n]));
            var narrow = dtype == NpyDType.Float32 ? new float[(long)Math.Min(blockRows, n) * n] : null;
            WithPath(input, () => Dissimilarity.ForEachRowBlock(input.Values, kind, blockRows, (i0, rows, block) =>
            {
                int count = rows * n;
                if (narrow is not null)
                {
                    for (int k = 0; k < count; k++) narrow[k] = (float)block[k];
                    stream.Write(MemoryMarshal.AsBytes(narrow.AsSpan(0, count)));
                }
                else stream.Write(MemoryMarshal.AsBytes(block.AsSpan(0, count)));
                progress?.Report((double)(i0 + rows) / n);
            }, names));
        }
        else
        {
            char delim = ext == ".csv" ? ',' : '\t';
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20, leaveOpen: true) { NewLine = "\n" };
            if (names is not null)
            {
                w.Write(MatrixFile.Quote("item", delim));
                foreach (string s in names) { w.Write(delim); w.Write(MatrixFile.Quote(s, delim)); }
                w.WriteLine();
            }
            WithPath(input, () => Dissimilarity.ForEachRowBlock(input.Values, kind, blockRows, (i0, rows, block) =>
            {
                for (int r = 0; r < rows; r++)
                {
                    if (names is not null) { w.Write(MatrixFile.Quote(names[i0 + r], delim)); w.Write(delim); }
                    for (int j = 0; j < n; j++)
                    {
                        if (j > 0) w.Write(delim);
                        double v = block[(long)r * n + j];
                        w.Write(dtype == NpyDType.Float32 ? Format((float)v) : MatrixFile.FormatNumber(v));
                    }
                    w.WriteLine();
                }
                progress?.Report((double)(i0 + rows) / n);
            }, names));
            w.Flush();
        }
        stream.Flush();
        long written = stream.Length;
        pending.Commit();
        return new RdmExportResult(n, kind, path, dtype, written, plan);
    }

    private static string Format(float v) =>
        float.IsNaN(v) ? "nan" : float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Free bytes for this user on the file system holding <paramref name="folder"/> (long.MaxValue if unknown).</summary>
    public static long FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return long.MaxValue;
        }
    }

    private static void WithPath(LabeledMatrix m, Action run)
    {
        try
        {
            run();
        }
        catch (SimileException e) when (!e.Message.Contains(m.Path, StringComparison.Ordinal))
        {
            throw new SimileException($"{m.Path}: {e.Message}", e.Fix, e);
        }
    }
}
