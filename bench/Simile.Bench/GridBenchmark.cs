using System.Diagnostics;
using System.Globalization;
using Simile.Analyses;
using Simile.Analyses.Grid;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;
using Simile.Reports;

namespace Simile.Bench;

/// <summary>
/// <c>grid [--models 20] [--reps 25] [--words 2000] [--dims 32] [--permutations 0] [--shards 1,2,4] [--dir DIR]</c>:
/// a synthetic vector store (every model's representations mix one shared latent with model- and layer-specific noise)
/// in a plan folder, then <c>grid compare</c> for every shard of every N, timed shard by shard, and the merged
/// results.json of every N compared byte for byte with the one-shard (single-process) result.
/// </summary>
public static class GridBenchmark
{
    public static int Run(string[] args)
    {
        int Int(string name, int fallback) => int.TryParse(Value(args, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;
        int models = Int("--models", 20), reps = Int("--reps", 25), words = Int("--words", 2000), dims = Int("--dims", 32);
        int permutations = Int("--permutations", 0);
        var shardCounts = (Value(args, "--shards") ?? "1,2,4").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        string dir = Value(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "simile-bench-grid");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);

        var sw = Stopwatch.StartNew();
        var plan = WriteStore(dir, models, reps, words, dims, permutations);
        long pairs = GridCompare.PairCount(models * reps);
        Console.WriteLine($"grid benchmark: {models} models x {reps} representations x {words} words x {dims} dims, " +
                          $"{pairs:N0} pairs, measures {string.Join(",", plan.Measures)}, {permutations} permutations; " +
                          $"{Environment.ProcessorCount} cores; store written in {sw.Elapsed.TotalSeconds:F1} s");

        string? reference = null;
        foreach (int n in shardCounts)
        {
            var times = new List<double>();
            var cpu = new List<double>();
            for (int i = 0; i < n; i++)
            {
                GC.Collect();
                var self = Process.GetCurrentProcess();
                var cpu0 = self.TotalProcessorTime;
                var t = Stopwatch.StartNew();
                var (_, count) = GridCompare.RunShard(plan, i, n);
                times.Add(t.Elapsed.TotalSeconds);
                self.Refresh();
                cpu.Add((self.TotalProcessorTime - cpu0).TotalSeconds);
                Console.WriteLine($"  N = {n}: shard {i} ({count:N0} pairs) wall {t.Elapsed.TotalSeconds:F1} s, CPU {cpu[^1]:F1} s, peak working set {self.PeakWorkingSet64 / (1 << 20):N0} MB");
            }
            var m = Stopwatch.StartNew();
            string json = GridReport.ResultsJson(GridMerge.Merge(plan, n));
            double merge = m.Elapsed.TotalSeconds;
            reference ??= json;
            bool same = json == reference;
            Console.WriteLine($"N = {n}: slowest shard wall {times.Max():F1} s (CPU {cpu.Max():F1} s), total work wall {times.Sum():F1} s (CPU {cpu.Sum():F1} s), merge {merge:F1} s; " +
                              $"results.json {(same ? "identical to" : "DIFFERS from")} the N = {shardCounts[0]} run");
            if (!same) return 1;
        }
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A plan over synthetic models and their stored vectors (sidecars and done stamps as extraction writes them).</summary>
    private static GridPlan WriteStore(string dir, int models, int reps, int words, int dims, int permutations)
    {
        var wordList = new WordList(Enumerable.Range(0, words).Select(i => $"w{i:D5}").ToList(), Enumerable.Repeat<string?>(null, words).ToList());
        var gridModels = Enumerable.Range(0, models).Select(m => new GridModel($"synthetic-{m:D2}", $"synthetic-{m:D2}")).ToList();
        var plan = new GridPlan(gridModels, wordList, "all", [], SubwordPolicy.Mean, TransformerEngine.Default, ["pearson", "cka"],
            permutations, 1, Shards: 4).Write(dir);
        var rng = new Random(12345);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var latent = new double[words * dims];
        for (int i = 0; i < latent.Length; i++) latent[i] = Gauss();
        var labels = Enumerable.Range(0, reps).Select(l => l == 0 ? "token" : (l - 1).ToString(CultureInfo.InvariantCulture)).ToList();
        for (int m = 0; m < models; m++)
        {
            var values = new float[(long)reps * words * dims];
            for (int l = 0; l < reps; l++)
            {
                double share = 0.3 + 0.6 * Math.Sin(Math.PI * l / (reps - 1)) * (0.5 + 0.5 * rng.NextDouble());   // middle layers share most
                for (int k = 0; k < words * dims; k++)
                    values[(long)l * words * dims + k] = (float)(share * latent[k] + (1 - share) * Gauss());
            }
            var export = new WordVectorsExport(gridModels[m].Name, "synthetic", wordList.Words, wordList.Categories, labels,
                wordList.Words.Select(w => (IReadOnlyList<string>)[w]).ToList(), ContextSpec.None.Name, [], SubwordPolicy.Mean, dims, values);
            export.Write(plan.VectorsPath(m));
            AtomicFile.WriteAllText(plan.DoneStampPath(m), plan.Hash + "\n");
        }
        return plan;
    }
}
