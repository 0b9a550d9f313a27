using System.Text.Json;
using System.Text.RegularExpressions;
using Simile.Data;

namespace Simile.Analyses.Grid;

/// <summary>A model of the finished grid: its name, source, architecture, representations and width.</summary>
public sealed record GridModelSummary(string Name, string Source, string Architecture, IReadOnlyList<string> Representations, int Dims);

/// <summary>The finished grid: every pair of representations scored, in pair order (the same however it was sharded).</summary>
public sealed record GridResult(GridPlan Plan, IReadOnlyList<GridModelSummary> Models, IReadOnlyList<GridPairResult> Pairs)
{
    /// <summary>The value of measure <paramref name="measure"/> for representations (model a, layer i) and (model b, layer j), or NaN for a representation with itself.</summary>
    public double[,] Grid(int measure, int modelA, int modelB)
    {
        var ra = Models[modelA].Representations; var rb = Models[modelB].Representations;
        var g = new double[ra.Count, rb.Count];
        for (int i = 0; i < ra.Count; i++) for (int j = 0; j < rb.Count; j++) g[i, j] = double.NaN;
        foreach (var p in Pairs)
        {
            if (p.A.ModelIndex == modelA && p.B.ModelIndex == modelB) g[p.A.Layer, p.B.Layer] = p.Values[measure];
            if (p.B.ModelIndex == modelA && p.A.ModelIndex == modelB) g[p.B.Layer, p.A.Layer] = p.Values[measure];
        }
        return g;
    }
}

/// <summary>
/// The last step: gathers the shard files into the grid (checking that every shard is there and was made from this
/// plan), or computes the whole grid in one process (<see cref="RunAll"/>). Both give the same <see cref="GridResult"/>.
/// </summary>
public static partial class GridMerge
{
    [GeneratedRegex(@"^(\d+)-of-(\d+)\.json$")]
    private static partial Regex ShardName();

    /// <summary>
    /// Reads the shards of the plan. The shard count is <paramref name="shards"/> when given, else the one the shard
    /// files have (the plan's count when several are present). Throws naming every missing or stale shard.
    /// </summary>
    public static GridResult Merge(GridPlan plan, int? shards = null)
    {
        var models = GridExtract.ReadAll(plan);
        var reps = GridCompare.Representations(models);
        long total = GridCompare.PairCount(reps.Count);
        string folder = Path.Combine(plan.Folder!, GridPlan.ShardsFolder);
        var present = Directory.Exists(folder)
            ? Directory.GetFiles(folder).Select(Path.GetFileName).Select(n => ShardName().Match(n!)).Where(m => m.Success)
                .Select(m => (I: int.Parse(m.Groups[1].Value), N: int.Parse(m.Groups[2].Value))).ToList()
            : [];
        int n = shards ?? ChooseShardCount(plan, present);
        if (n < 1) throw new SimileException($"--shards {n} is not a positive number", "use --shards N with N ≥ 1");

        var problems = new List<string>();
        var missing = new List<int>();
        var all = new GridPairResult[total];
        for (int i = 0; i < n; i++)
        {
            string path = plan.ShardPath(i, n);
            var (start, end) = GridCompare.ShardRange(total, i, n);
            if (!File.Exists(path)) { missing.Add(i); continue; }
            GridCompare.ShardFile shard;
            try { shard = GridCompare.ReadShard(path); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                problems.Add($"shards/{GridPlan.ShardFileName(i, n)} is unreadable ({e.Message})");
                continue;
            }
            if (shard.PlanHash != plan.Hash)
            {
                problems.Add($"shards/{GridPlan.ShardFileName(i, n)} is stale: made from plan {shard.PlanHash[..Math.Min(12, shard.PlanHash.Length)]}…, the plan is {plan.Hash[..12]}…");
                continue;
            }
            if (shard.Shard != i || shard.Shards != n || shard.FirstPair != start || shard.Pairs.Count != end - start
                || !shard.Measures.SequenceEqual(plan.Measures))
            {
                problems.Add($"shards/{GridPlan.ShardFileName(i, n)} does not hold pairs {start}..{end - 1} of this plan");
                continue;
            }
            for (long k = start; k < end; k++)
            {
                var (a, b) = GridCompare.Pair(k, reps.Count);
                var s = shard.Pairs[(int)(k - start)];
                if (s.Am != reps[a].Model || s.Al != reps[a].Label || s.Bm != reps[b].Model || s.Bl != reps[b].Label)
                {
                    problems.Add($"shards/{GridPlan.ShardFileName(i, n)} does not hold pairs {start}..{end - 1} of this plan (pair {k} differs)");
                    break;
                }
                all[k] = new GridPairResult(reps[a], reps[b], s.Values, s.P);
            }
        }
        if (missing.Count > 0)
            problems.Insert(0, $"{missing.Count} of {n} shards missing: {string.Join(", ", missing.Select(i => "shards/" + GridPlan.ShardFileName(i, n)))}");
        if (problems.Count > 0)
        {
            var redo = missing.Concat(problems.Select(p => ShardIndex(p)).OfType<int>()).Distinct().Order().ToList();
            throw new SimileException(string.Join("; ", problems),
                $"rerun 'simile grid compare --plan {plan.Folder} --shard I/{n}' for I = {string.Join(", ", redo)} (each shard can be rerun alone), then merge again");
        }
        return new GridResult(plan, Summaries(plan, models), all);
    }

    private static int? ShardIndex(string problem)
    {
        var m = Regex.Match(problem, @"^shards/(\d+)-of-\d+\.json");
        return m.Success ? int.Parse(m.Groups[1].Value) : null;
    }

    private static int ChooseShardCount(GridPlan plan, List<(int I, int N)> present)
    {
        var counts = present.Select(p => p.N).Distinct().ToList();
        if (counts.Count == 0) return plan.Shards;
        if (counts.Count == 1) return counts[0];
        if (counts.Contains(plan.Shards)) return plan.Shards;
        var complete = counts.Where(c => Enumerable.Range(0, c).All(i => present.Contains((i, c)))).ToList();
        if (complete.Count == 1) return complete[0];
        throw new SimileException($"shards/ holds shards of several counts ({string.Join(", ", counts.Order().Select(c => "N = " + c))})",
            "pass --shards N to merge the set you want, or delete the other shard files");
    }

    /// <summary>Every step in this process: extraction of every model not yet extracted for this plan, then all pairs.</summary>
    public static GridResult RunAll(GridPlan plan, IProgress<StageProgress>? progress = null)
    {
        for (int k = 0; k < plan.Models.Count; k++)
        {
            int task = k;
            GridExtract.Run(plan, task, progress: FractionProgress.Of(progress, $"extract {plan.Models[task].Name}"));
        }
        var models = GridExtract.ReadAll(plan);
        var reps = GridCompare.Representations(models);
        var pairs = GridCompare.Compute(plan, models, 0, GridCompare.PairCount(reps.Count),
            FractionProgress.Of(progress, "compare"));
        return new GridResult(plan, Summaries(plan, models), pairs);
    }

    private static IReadOnlyList<GridModelSummary> Summaries(GridPlan plan, IReadOnlyList<GridVectors> models)
        => models.Select((m, k) => new GridModelSummary(m.Model, plan.Models[k].Source, m.Architecture, m.Labels, m.Dims)).ToList();
}
