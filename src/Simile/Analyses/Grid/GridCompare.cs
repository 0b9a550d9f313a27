using System.Text;
using System.Text.Json;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;

namespace Simile.Analyses.Grid;

/// <summary>A representation of the grid: model (index and name) and representation label.</summary>
public sealed record GridRepresentation(int ModelIndex, string Model, int Layer, string Label);

/// <summary>The scores of one pair of representations: one value per plan measure (plan order) and the permutation p.</summary>
public sealed record GridPairResult(GridRepresentation A, GridRepresentation B, double[] Values, double PValue);

/// <summary>
/// The comparison step. Representations are numbered in plan order (model by model, each model's representations
/// in its order); the pairs are every (i, j) with i &lt; j, i.e. within and across models, numbered row by row.
/// Shard I of N takes pairs [⌊I·P/N⌋, ⌊(I+1)·P/N⌋). Each pair's scores depend only on its two representations and its
/// own permutation seed (derived from the plan seed and the pair's names), so any sharding, order or thread count
/// gives the same numbers.
/// </summary>
public static class GridCompare
{
    /// <summary>Format tag of shard files.</summary>
    public const string ShardFormat = "simile-grid-shard/1";

    /// <summary>Memory (bytes) the RDM cache may hold; the pairs are processed in tiles that fit it.</summary>
    public static long MemoryBudget { get; set; } = 1L << 30;

    /// <summary>Every representation of the extracted models, in plan order.</summary>
    public static IReadOnlyList<GridRepresentation> Representations(IReadOnlyList<GridVectors> models)
    {
        var list = new List<GridRepresentation>();
        for (int m = 0; m < models.Count; m++)
            for (int l = 0; l < models[m].Labels.Count; l++)
                list.Add(new GridRepresentation(m, models[m].Model, l, models[m].Labels[l]));
        return list;
    }

    /// <summary>P = R(R−1)/2 for R representations.</summary>
    public static long PairCount(int representations) => (long)representations * (representations - 1) / 2;

    /// <summary>The pair range [start, end) of shard <paramref name="shard"/> of <paramref name="of"/>.</summary>
    public static (long Start, long End) ShardRange(long pairs, int shard, int of)
    {
        CheckShard(shard, of);
        return (pairs * shard / of, pairs * (shard + 1) / of);
    }

    internal static void CheckShard(int shard, int of)
    {
        if (of > GridPlan.MaxShards)
            throw new SimileException($"shard {shard}/{of}: N is outside its range 1–{GridPlan.MaxShards:N0} (comparison shards of a grid)",
                $"pass --shard I/N with N from 1 to {GridPlan.MaxShards:N0}");
        if (of < 1 || shard < 0 || shard >= of)
            throw new SimileException($"shard {shard}/{of} is not a shard: I must run from 0 to N−1",
                "pass --shard I/N with 0 ≤ I < N, e.g. --shard 0/4 … --shard 3/4 (as --array=0-3 numbers the tasks)");
    }

    /// <summary>Pair number <paramref name="k"/> (row-major over i &lt; j) as (i, j).</summary>
    public static (int I, int J) Pair(long k, int r)
    {
        // Row i starts at S(i) = i·r − i(i+1)/2; find the largest i with S(i) ≤ k, then correct for rounding.
        double b = 2.0 * r - 1;
        int i = (int)Math.Floor((b - Math.Sqrt(Math.Max(0, b * b - 8.0 * k))) / 2);
        i = Math.Clamp(i, 0, r - 2);
        while (i > 0 && RowStart(i, r) > k) i--;
        while (i < r - 2 && RowStart(i + 1, r) <= k) i++;
        return (i, (int)(i + 1 + (k - RowStart(i, r))));
    }

    private static long RowStart(int i, int r) => (long)i * r - (long)i * (i + 1) / 2;

    /// <summary>The permutation seed of a pair: the plan seed mixed with the pair's model and representation names.</summary>
    public static ulong PairSeed(ulong seed, GridRepresentation a, GridRepresentation b)
    {
        ulong h = 0xCBF29CE484222325UL;                         // FNV-1a 64 over the UTF-8 names
        foreach (byte x in Encoding.UTF8.GetBytes($"{a.Model}\u001f{a.Label}\u001e{b.Model}\u001f{b.Label}"))
            h = unchecked((h ^ x) * 0x100000001B3UL);
        return SeededRandom.ForBlock(seed, unchecked((long)h)).NextULong();
    }

    /// <summary>Scores pairs [start, end) of the plan's representations (in order).</summary>
    public static IReadOnlyList<GridPairResult> Compute(GridPlan plan, IReadOnlyList<GridVectors> models, long start, long end,
        IProgress<double>? progress = null)
    {
        var reps = Representations(models);
        int r = reps.Count;
        long total = PairCount(r);
        if (start < 0 || end > total || start > end) throw new ArgumentOutOfRangeException(nameof(end));
        var scores = plan.Measures.Select(GridMeasures.Lookup).ToArray();
        var results = new GridPairResult[end - start];
        if (end == start) return results;

        // Tiles of T × T representations whose operands (vectors + RDM) fit the memory budget twice over.
        int n = plan.Words.Count;
        long perRep = GridOperand.Bytes(n, models.Max(m => m.Dims));
        int tile = (int)Math.Clamp(MemoryBudget / Math.Max(1, 2 * perRep), 1, Math.Max(1, r));
        var groups = new Dictionary<(int, int), List<long>>();
        var order = new List<(int, int)>();
        for (long k = start; k < end; k++)
        {
            var (i, j) = Pair(k, r);
            var key = (i / tile, j / tile);
            if (!groups.TryGetValue(key, out var list)) { groups[key] = list = []; order.Add(key); }
            list.Add(k);
        }

        var cache = new Dictionary<int, GridOperand>();
        GridOperand Operand(int index)
        {
            lock (cache)
            {
                if (cache.TryGetValue(index, out var op)) return op;
                var rep = reps[index];
                op = new GridOperand(models[rep.ModelIndex].Layer(rep.Layer), plan.Words.Words, $"{rep.Model} representation {rep.Label}");
                cache[index] = op;
                return op;
            }
        }
        // The permutation test needs every pair's RDMs: compute a tile's RDMs up front, in parallel. Otherwise the
        // measures compute the RDMs they need on first use.
        bool needRdm = plan.Permutations > 0;
        long done = 0;
        foreach (var key in order)
        {
            // Keep only the two blocks of this tile.
            int evicted = 0;
            lock (cache)
                foreach (int stale in cache.Keys.Where(x => x / tile != key.Item1 && x / tile != key.Item2).ToList()) { cache.Remove(stale); evicted++; }
            // The RDMs are large objects, which the runtime collects lazily; give them back before the next tile's
            // are made, so the process stays near the memory budget.
            if (evicted * perRep > MemoryBudget / 4) GC.Collect();
            var members = groups[key];
            var used = members.SelectMany(k => { var (i, j) = Pair(k, r); return new[] { i, j }; }).Distinct().ToList();
            // Operands (and their RDMs) first, in parallel: the RDMs are the expensive shared part of a tile.
            Parallel.ForEach(used, index => { var op = Operand(index); if (needRdm) _ = op.Rdm; });
            Parallel.ForEach(members, k =>
            {
                var (i, j) = Pair(k, r);
                var a = Operand(i); var b = Operand(j);
                var values = new double[scores.Length];
                for (int s = 0; s < scores.Length; s++) values[s] = scores[s](a, b);
                double p = double.NaN;
                if (plan.Permutations > 0)
                    p = PermutationTest.Run(a.Rdm, b.Rdm, [RsaMeasure.Pearson], plan.Permutations, PairSeed(plan.Seed, reps[i], reps[j]))[0].PValue;
                results[k - start] = new GridPairResult(reps[i], reps[j], values, p);
                if (progress is not null) progress.Report(Interlocked.Increment(ref done) / (double)(end - start));
            });
        }
        return results;
    }

    /// <summary>
    /// Shard <paramref name="shard"/> of <paramref name="of"/>: scores its share of the pairs and writes
    /// <c>shards/I-of-N.json</c> atomically (a killed shard leaves nothing; a rerun rewrites the same file).
    /// Returns the path and the number of pairs.
    /// </summary>
    public static (string Path, int Pairs) RunShard(GridPlan plan, int shard, int of, IProgress<double>? progress = null)
    {
        CheckShard(shard, of);
        var models = GridExtract.ReadAll(plan);
        var reps = Representations(models);
        var (start, end) = ShardRange(PairCount(reps.Count), shard, of);
        var results = Compute(plan, models, start, end, progress);
        string path = plan.ShardPath(shard, of);
        AtomicFile.WriteAllText(path, ShardJson(plan, shard, of, start, results));
        return (path, results.Count);
    }

    private static string ShardJson(GridPlan plan, int shard, int of, long start, IReadOnlyList<GridPairResult> results)
        => JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("format", ShardFormat);
            w.WriteString("plan_hash", plan.Hash);
            w.WriteNumber("shard", shard);
            w.WriteNumber("shards", of);
            w.WriteNumber("first_pair", start);
            w.WriteNumber("pair_count", results.Count);
            JsonOutput.StringArray(w, "measures", plan.Measures);
            w.WriteStartArray("pairs");
            foreach (var p in results) WritePair(w, plan, p);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>One pair as JSON: a, b, one key per measure, p_value (null when not computed).</summary>
    public static void WritePair(Utf8JsonWriter w, GridPlan plan, GridPairResult p)
    {
        w.WriteStartObject();
        w.WriteStartObject("a"); w.WriteString("model", p.A.Model); w.WriteString("representation", p.A.Label); w.WriteEndObject();
        w.WriteStartObject("b"); w.WriteString("model", p.B.Model); w.WriteString("representation", p.B.Label); w.WriteEndObject();
        for (int s = 0; s < plan.Measures.Count; s++) JsonOutput.Number(w, plan.Measures[s], p.Values[s]);
        JsonOutput.Number(w, "p_value", p.PValue);
        w.WriteEndObject();
    }

    /// <summary>Reads a shard file's pairs back (null in JSON is NaN), checking format and plan hash.</summary>
    internal static ShardFile ReadShard(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        string format = root.TryGetProperty("format", out var f) ? f.GetString() ?? "" : "";
        if (format != ShardFormat) throw new JsonException($"format '{format}' is not '{ShardFormat}'");
        var measures = root.GetProperty("measures").EnumerateArray().Select(x => x.GetString()!).ToList();
        var pairs = new List<(string Am, string Al, string Bm, string Bl, double[] Values, double P)>();
        foreach (var e in root.GetProperty("pairs").EnumerateArray())
        {
            var a = e.GetProperty("a"); var b = e.GetProperty("b");
            var values = measures.Select(m => Number(e.GetProperty(m))).ToArray();
            pairs.Add((a.GetProperty("model").GetString()!, a.GetProperty("representation").GetString()!,
                b.GetProperty("model").GetString()!, b.GetProperty("representation").GetString()!, values, Number(e.GetProperty("p_value"))));
        }
        return new ShardFile(root.GetProperty("plan_hash").GetString()!, root.GetProperty("shard").GetInt32(), root.GetProperty("shards").GetInt32(),
            root.GetProperty("first_pair").GetInt64(), measures, pairs);
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();

    internal sealed record ShardFile(string PlanHash, int Shard, int Shards, long FirstPair, IReadOnlyList<string> Measures,
        IReadOnlyList<(string Am, string Al, string Bm, string Bl, double[] Values, double P)> Pairs);
}
