using System.Globalization;
using System.Text.Json;
using Simile.Analyses.Grid;
using Simile.Inference;
using Simile.Tests.Cli;
using Simile.Tests.Models.HuggingFace;
using Xunit;
using TempFolder = Simile.Tests.Data.TempFolder;

namespace Simile.Tests.Analyses.Grid;

/// <summary>
/// simile grid: plan → extract → compare shards → merge against grid run (byte for byte), the values against naive
/// loops, the shard split, stale/missing shards, idempotent reruns and the scheduler environment.
/// Models: a tiny random BERT and GPT-2 (Hugging Face layout) and a static word2vec file, so everything runs in seconds.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class GridTests
{
    private static readonly string[] Words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "galaxy", "star", "big", "small", "red", "blue"];

    /// <summary>A folder with three models (tiny BERT, tiny GPT-2, static vectors) and a word list; returns the -m arguments and the words file.</summary>
    private static (string[] Models, string WordsFile) Inputs(TempFolder dir)
    {
        string bert = Path.Combine(dir.Path, "tiny-bert"); Directory.CreateDirectory(bert);
        TinyModel.Bert(seed: 3).WriteFolder(bert);
        string gpt2 = Path.Combine(dir.Path, "tiny-gpt2"); Directory.CreateDirectory(gpt2);
        TinyModel.Gpt2(seed: 5).WriteFolder(gpt2);
        var rng = new Random(9);
        var lines = new List<string> { $"{Words.Length} 6" };
        foreach (var w in Words) lines.Add(w + " " + string.Join(" ", Enumerable.Range(0, 6).Select(_ => (rng.NextDouble() * 2 - 1).ToString("0.####", CultureInfo.InvariantCulture))));
        string vec = dir.Write("static.vec", string.Join("\n", lines) + "\n");
        string words = dir.Write("words.tsv", "word\tcategory\n" + string.Concat(Words.Select((w, i) => $"{w}\t{(i < 7 ? "a" : "b")}\n")));
        return ([bert, gpt2, vec], words);
    }

    private static string[] PlanArgs(string[] models, string words, string outDir, int permutations = 99, string seed = "3", string measures = "pearson,cka")
        => ["grid", "plan", .. models.SelectMany(m => new[] { "-m", m }), "--words", words, "--measures", measures,
            "--permutations", permutations.ToString(CultureInfo.InvariantCulture), "--seed", seed, "--shards", "3", "--out", outDir];

    private static void Ok(CliRunner.Result r) => Assert.True(r.ExitCode == 0, r.ToString());

    private static string OneLineError(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("simile: error: ", lines[0]);
        return lines[0];
    }

    private static void ExtractAll(string plan, int models)
    {
        for (int k = 0; k < models; k++) Ok(CliRunner.Run("grid", "extract", "--plan", plan, "--task", k.ToString(CultureInfo.InvariantCulture)));
    }

    private static void CompareAll(string plan, int shards)
    {
        for (int i = 0; i < shards; i++) Ok(CliRunner.Run("grid", "compare", "--plan", plan, "--shard", $"{i}/{shards}"));
    }

    [Fact]
    public void ShardedPipelineEqualsOneProcessRunByteForByte()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "sharded"), b = Path.Combine(dir.Path, "single");
        Ok(CliRunner.Run(PlanArgs(models, words, a)));
        Directory.CreateDirectory(b);
        File.Copy(Path.Combine(a, "plan.json"), Path.Combine(b, "plan.json"));

        ExtractAll(a, 3);
        CompareAll(a, 4);                       // any N works, not only the plan's 3
        Ok(CliRunner.Run("grid", "merge", "--plan", a));
        Ok(CliRunner.Run("grid", "run", "--plan", b));

        Assert.Equal(File.ReadAllBytes(Path.Combine(b, "results.json")), File.ReadAllBytes(Path.Combine(a, "results.json")));
        var gridsA = Directory.GetFiles(Path.Combine(a, "grids")).Select(Path.GetFileName).Order().ToList();
        var gridsB = Directory.GetFiles(Path.Combine(b, "grids")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(gridsB, gridsA);
        foreach (var f in gridsA.Where(f => f!.EndsWith(".csv")))
            Assert.Equal(File.ReadAllText(Path.Combine(b, "grids", f!)), File.ReadAllText(Path.Combine(a, "grids", f!)));
        Assert.True(File.Exists(Path.Combine(a, "report.html")));

        // The contract: every pair of representations once, with a, b, pearson, cka and p_value.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "results.json")));
        var pairs = doc.RootElement.GetProperty("pairs").EnumerateArray().ToList();
        int reps = doc.RootElement.GetProperty("models").EnumerateArray().Sum(m => m.GetProperty("representations").GetArrayLength());
        Assert.Equal(4 + 5 + 1, reps);          // BERT token,0,1,2; GPT-2 token,0,1,2,final (ln_f); static token
        Assert.Equal(reps * (reps - 1) / 2, pairs.Count);
        var seen = new HashSet<string>();
        foreach (var p in pairs)
        {
            string key(JsonElement e) => e.GetProperty("model").GetString() + "/" + e.GetProperty("representation").GetString();
            string ka = key(p.GetProperty("a")), kb = key(p.GetProperty("b"));
            Assert.NotEqual(ka, kb);
            Assert.True(seen.Add(string.CompareOrdinal(ka, kb) < 0 ? ka + "|" + kb : kb + "|" + ka), "pair twice: " + ka + " " + kb);
            Assert.Equal(JsonValueKind.Number, p.GetProperty("pearson").ValueKind);
            Assert.Equal(JsonValueKind.Number, p.GetProperty("cka").ValueKind);
            double pv = p.GetProperty("p_value").GetDouble();
            double k = pv * 100 - 1;            // p = (k+1)/(N+1), N = 99
            Assert.True(Math.Abs(k - Math.Round(k)) < 1e-9 && k >= -1e-9 && k <= 99 + 1e-9, $"p = {pv} is not (k+1)/100");
        }
    }

    [Fact]
    public void ValuesMatchNaiveLoopsOnTheStoredVectors()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 49)));
        ExtractAll(a, 3);
        CompareAll(a, 2);
        Ok(CliRunner.Run("grid", "merge", "--plan", a));
        var plan = GridPlan.Read(a);
        var vectors = GridExtract.ReadAll(plan);
        var reps = GridCompare.Representations(vectors);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "results.json")));
        var pairs = doc.RootElement.GetProperty("pairs").EnumerateArray().ToList();
        int n = Words.Length;
        foreach (int index in new[] { 0, 5, pairs.Count / 2, pairs.Count - 1 })
        {
            var p = pairs[index];
            double[,] X = Naive(vectors, reps, p.GetProperty("a")), Y = Naive(vectors, reps, p.GetProperty("b"));
            // RSA: Pearson r of the upper triangles of the two cosine-similarity matrices.
            var sx = UpperCosines(X); var sy = UpperCosines(Y);
            Assert.Equal(NaiveReference.Pearson(sx, sy), p.GetProperty("pearson").GetDouble(), 1e-12);
            // Linear CKA on column-centred matrices.
            Assert.Equal(NaiveCka(X, Y), p.GetProperty("cka").GetDouble(), 1e-10);
            // Permutation p: the pair's seeded permutations, the statistic recomputed by a naive loop.
            var ra = reps.Single(r => r.Model == p.GetProperty("a").GetProperty("model").GetString() && r.Label == p.GetProperty("a").GetProperty("representation").GetString());
            var rb = reps.Single(r => r.Model == p.GetProperty("b").GetProperty("model").GetString() && r.Label == p.GetProperty("b").GetProperty("representation").GetString());
            ulong seed = GridCompare.PairSeed(plan.Seed, ra, rb);
            double observed = NaiveReference.Pearson(sx, sy);
            int k = 0;
            var perm = new int[n];
            for (int q = 0; q < 49; q++)
            {
                Permutations.Fill(seed, q, perm);
                var permuted = new List<double>();
                for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) permuted.Add(sy[Index(n, perm[i], perm[j])]);
                if (NaiveReference.Pearson(sx, permuted.ToArray()) >= observed - 1e-12) k++;
            }
            Assert.Equal((k + 1) / 50.0, p.GetProperty("p_value").GetDouble(), 1e-15);
        }
    }

    private static int Index(int n, int i, int j)
    {
        if (i > j) (i, j) = (j, i);
        return n * i - i * (i + 1) / 2 + (j - i - 1);
    }

    private static double[,] Naive(IReadOnlyList<GridVectors> vectors, IReadOnlyList<GridRepresentation> reps, JsonElement e)
    {
        var rep = reps.Single(r => r.Model == e.GetProperty("model").GetString() && r.Label == e.GetProperty("representation").GetString());
        var v = vectors[rep.ModelIndex];
        var m = new double[v.Words, v.Dims];
        for (int i = 0; i < v.Words; i++) for (int d = 0; d < v.Dims; d++) m[i, d] = v.Values[(rep.Layer * v.Words + i) * v.Dims + d];
        return m;
    }

    private static double[] UpperCosines(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var list = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (int f = 0; f < d; f++) { dot += x[i, f] * x[j, f]; ni += x[i, f] * x[i, f]; nj += x[j, f] * x[j, f]; }
                list.Add(dot / Math.Sqrt(ni * nj));
            }
        return list.ToArray();
    }


    private static double NaiveCka(double[,] x, double[,] y)
    {
        var xc = Centre(x); var yc = Centre(y);
        double xy = CrossNorm2(xc, yc), xx = CrossNorm2(xc, xc), yy = CrossNorm2(yc, yc);
        return xy / Math.Sqrt(xx * yy);
    }

    private static double[,] Centre(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var c = (double[,])x.Clone();
        for (int f = 0; f < d; f++)
        {
            double m = 0; for (int i = 0; i < n; i++) m += x[i, f]; m /= n;
            for (int i = 0; i < n; i++) c[i, f] -= m;
        }
        return c;
    }

    private static double CrossNorm2(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), da = a.GetLength(1), db = b.GetLength(1);
        double s = 0;
        for (int p = 0; p < da; p++)
            for (int q = 0; q < db; q++)
            {
                double v = 0; for (int i = 0; i < n; i++) v += a[i, p] * b[i, q];
                s += v * v;
            }
        return s;
    }

    [Fact]
    public void ShardsSplitEveryPairExactlyOnceForAnyShardCount()
    {
        for (int r = 2; r <= 23; r++)
        {
            var expected = new List<(int, int)>();
            for (int i = 0; i < r; i++) for (int j = i + 1; j < r; j++) expected.Add((i, j));
            long total = GridCompare.PairCount(r);
            Assert.Equal(expected.Count, total);
            for (long k = 0; k < total; k++) Assert.Equal(expected[(int)k], GridCompare.Pair(k, r));
            foreach (int n in new[] { 1, 2, 3, 4, 7, 50 })
            {
                long next = 0;
                for (int s = 0; s < n; s++)
                {
                    var (start, end) = GridCompare.ShardRange(total, s, n);
                    Assert.Equal(next, start);
                    Assert.True(end - start <= total / n + 1 && end - start >= total / n, $"shard {s}/{n} of {total} is unbalanced");
                    next = end;
                }
                Assert.Equal(total, next);
            }
        }
    }

    [Fact]
    public void MergeNamesMissingAndStaleShardsAndRefusesMixedPlans()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 9)));
        // Nothing compared yet: every shard of the plan's 3 is missing, and the vectors first.
        string e0 = OneLineError(CliRunner.Run("grid", "merge", "--plan", a));
        Assert.Contains("grid extract", e0);
        ExtractAll(a, 3);
        string e1 = OneLineError(CliRunner.Run("grid", "merge", "--plan", a));
        Assert.Contains("3 of 3 shards missing", e1);
        Ok(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "0/3"));
        Ok(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "2/3"));
        string e2 = OneLineError(CliRunner.Run("grid", "merge", "--plan", a));
        Assert.Contains("1 of 3 shards missing: shards/1-of-3.json", e2);
        Assert.Contains("--shard I/3' for I = 1", e2);
        Assert.False(File.Exists(Path.Combine(a, "results.json")));

        // A shard from an older plan (other seed) is stale, named, and refused.
        Ok(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "1/3"));
        string old = Path.Combine(dir.Path, "old-1-of-3.json");
        File.Copy(Path.Combine(a, "shards", "1-of-3.json"), old);
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 9, seed: "4")));   // the plan changes in place
        string e3 = OneLineError(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "0/3"));
        Assert.Contains("made for another plan", e3);                              // vectors of the old plan are not used
        ExtractAll(a, 3);
        CompareAll(a, 3);
        File.Copy(old, Path.Combine(a, "shards", "1-of-3.json"), overwrite: true);
        string e4 = OneLineError(CliRunner.Run("grid", "merge", "--plan", a));
        Assert.Contains("shards/1-of-3.json is stale", e4);
        Assert.Contains("I = 1", e4);
        Assert.False(File.Exists(Path.Combine(a, "results.json")));
        // Rerunning the failed shard alone fixes it.
        Ok(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "1/3"));
        Ok(CliRunner.Run("grid", "merge", "--plan", a));
    }

    [Fact]
    public void RerunningTasksIsIdempotentAndLeavesNoTemporaries()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 19)));
        ExtractAll(a, 3);
        string npy = Path.Combine(a, "vectors", "tiny-bert.npy");
        var bytes = File.ReadAllBytes(npy);
        var stamp = File.GetLastWriteTimeUtc(npy);
        var again = CliRunner.Run("grid", "extract", "--plan", a, "--task", "0");
        Ok(again);
        Assert.Contains("already extracted", again.Stdout);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(npy));
        Ok(CliRunner.Run("grid", "extract", "--plan", a, "--task", "0", "--force"));
        Assert.Equal(bytes, File.ReadAllBytes(npy));

        CompareAll(a, 3);
        string shard = Path.Combine(a, "shards", "2-of-3.json");
        var first = File.ReadAllBytes(shard);
        Ok(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "2/3"));
        Assert.Equal(first, File.ReadAllBytes(shard));
        Ok(CliRunner.Run("grid", "merge", "--plan", a));
        var merged = File.ReadAllBytes(Path.Combine(a, "results.json"));
        Ok(CliRunner.Run("grid", "merge", "--plan", a));
        Assert.Equal(merged, File.ReadAllBytes(Path.Combine(a, "results.json")));
        foreach (var f in Directory.GetFiles(a, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(".tmp", Path.GetFileName(f));
    }

    [Fact]
    public void FailedExtractionLeavesNothingBehind()
    {
        using var dir = new TempFolder();
        var (models, _) = Inputs(dir);
        string words = dir.Write("other.tsv", "word\n" + string.Join("\n", Words.Append("zebra")) + "\n");   // not in the static file
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 0)));
        string e = OneLineError(CliRunner.Run("grid", "extract", "--plan", a, "--task", "2"));
        Assert.Contains("zebra", e);
        Assert.False(Directory.Exists(Path.Combine(a, "vectors")) && Directory.GetFiles(Path.Combine(a, "vectors")).Length > 0);
        OneLineError(CliRunner.Run("grid", "extract", "--plan", a, "--task", "3"));
        OneLineError(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "3/3"));
        OneLineError(CliRunner.Run("grid", "compare", "--plan", a, "--shard", "x"));
    }

    [Fact]
    public void PlanRecordsInputsHashAndTasks()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a, permutations: 7)));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "plan.json")));
        var root = doc.RootElement;
        Assert.Equal(64, root.GetProperty("hash").GetString()!.Length);
        Assert.Equal(["tiny-bert", "tiny-gpt2", "static.vec"], root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(Words, root.GetProperty("words").GetProperty("words").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(3, root.GetProperty("extraction_tasks").GetArrayLength());
        Assert.Equal("vectors/tiny-gpt2.npy", root.GetProperty("extraction_tasks")[1].GetProperty("output").GetString());
        Assert.Equal(3, root.GetProperty("comparison").GetProperty("shard_files").GetArrayLength());
        Assert.Equal(7, root.GetProperty("settings").GetProperty("permutations").GetInt32());

        // Same inputs, same hash; another setting, another hash; an edited plan is refused.
        string b = Path.Combine(dir.Path, "plan2");
        Ok(CliRunner.Run(PlanArgs(models, words, b, permutations: 7)));
        Assert.Equal(GridPlan.Read(a).Hash, GridPlan.Read(b).Hash);
        Ok(CliRunner.Run(PlanArgs(models, words, b, permutations: 8)));
        Assert.NotEqual(GridPlan.Read(a).Hash, GridPlan.Read(b).Hash);
        string text = File.ReadAllText(Path.Combine(b, "plan.json")).Replace("\"permutations\": 8", "\"permutations\": 9");
        File.WriteAllText(Path.Combine(b, "plan.json"), text);
        Assert.Contains("was edited", OneLineError(CliRunner.Run("grid", "merge", "--plan", b)));

        Assert.Contains("unknown measure 'rsa'", OneLineError(CliRunner.Run(PlanArgs(models, words, Path.Combine(dir.Path, "p3"), measures: "pearson,rsa"))));
        Assert.Contains("no-such-model", OneLineError(CliRunner.Run("grid", "plan", "-m", "no-such-model", "--out", Path.Combine(dir.Path, "p4"))));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "p3")));
    }

    [Fact]
    public void ShardAndTaskComeFromTheSchedulerEnvironment()
    {
        var plan = new GridPlan([new GridModel("m", "minilm")], new Simile.Data.WordList(["a", "b", "c", "d"], [null, null, null, null]),
            "all", [], Simile.Models.SubwordPolicy.Mean, Simile.Analyses.TransformerEngine.Default, ["pearson"], 0, 0, Shards: 5);
        Func<string, string?> Env(params (string K, string V)[] vars) => k => vars.FirstOrDefault(v => v.K == k).V;
        Assert.Equal((2, 4), GridScheduler.ResolveShard(null, plan, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4"))));
        Assert.Equal((3, 5), GridScheduler.ResolveShard(null, plan, Env(("PBS_ARRAY_INDEX", "3"))));       // N from the plan
        Assert.Equal((0, 6), GridScheduler.ResolveShard(null, plan, Env(("SGE_TASK_ID", "1"), ("SGE_TASK_LAST", "6"))));
        Assert.Equal((4, 8), GridScheduler.ResolveShard(null, plan, Env(("LSB_JOBINDEX", "5"), ("LSB_JOBINDEX_END", "8"))));
        Assert.Equal((1, 2), GridScheduler.ResolveShard("1/2", plan, Env(("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "4"))));
        Assert.Throws<SimileException>(() => GridScheduler.ResolveShard(null, plan, Env()));
        Assert.Throws<SimileException>(() => GridScheduler.ResolveShard("4/4", plan, Env()));
        Assert.Throws<SimileException>(() => GridScheduler.ResolveShard(null, plan, Env(("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"))));
        Assert.Equal(0, GridScheduler.ResolveTask(null, plan, Env(("SLURM_ARRAY_TASK_ID", "0"))));
        Assert.Throws<SimileException>(() => GridScheduler.ResolveTask(null, plan, Env(("SLURM_ARRAY_TASK_ID", "1"))));
    }

    [Fact]
    public void SbatchScriptsChainArraysWithAfterokAndCarryTheOptions()
    {
        using var dir = new TempFolder();
        var (models, words) = Inputs(dir);
        string a = Path.Combine(dir.Path, "plan");
        Ok(CliRunner.Run(PlanArgs(models, words, a)));
        Ok(CliRunner.Run("grid", "sbatch", "--plan", a, "--partition", "short", "--time", "01:00:00", "--mem", "4G",
            "--cpus-per-task", "2", "--throttle", "2", "--simile", "/opt/simile/simile"));
        string S(string f) => File.ReadAllText(Path.Combine(a, "slurm", f));
        string extract = S("extract.sbatch"), compare = S("compare.sbatch"), merge = S("merge.sbatch"), submit = S("submit.sh");
        foreach (var script in new[] { extract, compare, merge })
        {
            Assert.StartsWith("#!/bin/bash\n", script);
            Assert.Contains("#SBATCH --partition=short\n", script);
            Assert.Contains("#SBATCH --time=01:00:00\n", script);
            Assert.Contains("#SBATCH --mem=4G\n", script);
            Assert.Contains("#SBATCH --cpus-per-task=2\n", script);
        }
        Assert.Contains("#SBATCH --array=0-2%2\n", extract);
        Assert.Contains($"/opt/simile/simile grid extract --plan {a} --task \"$SLURM_ARRAY_TASK_ID\"", extract);
        Assert.Contains("#SBATCH --array=0-2%2\n", compare);
        Assert.Contains("grid compare --plan", compare);
        Assert.Contains("--shard \"$SLURM_ARRAY_TASK_ID/3\"", compare);
        Assert.DoesNotContain("--array", merge);
        Assert.Contains("grid merge --plan", merge);
        Assert.Contains("sbatch --parsable", submit);
        Assert.Contains("--dependency=afterok:$extract", submit);
        Assert.Contains("--dependency=afterok:$compare", submit);
        Assert.True(Directory.Exists(Path.Combine(a, "logs")));
        if (!OperatingSystem.IsWindows())
            Assert.True((File.GetUnixFileMode(Path.Combine(a, "slurm", "submit.sh")) & UnixFileMode.UserExecute) != 0);
    }
}
