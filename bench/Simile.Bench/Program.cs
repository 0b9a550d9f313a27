using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Engine;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Bench;

/// <summary>
/// Simile benchmarks, side by side with numpy/scipy (bench/baseline.py) when python3 has them.
/// <c>dotnet run -c Release --project bench/Simile.Bench -- [case…] [--no-baseline] [--baseline-all] [--data DIR]</c>.
/// Every case runs in its own child process so that its peak working set is its own.
/// </summary>
public static class Program
{
    public static readonly string[] AllCases = ["rdm", "spearman-rdm", "pearson-20k", "spearman-20k", "rank-5k", "scale-100k", "gemm", "compare",
        .. CliBench.Titles.Keys];

    private static readonly Dictionary<string, string> Titles = new()
    {
        ["rdm"] = "(a) cosine + correlation RDM, 5,000 x 384",
        ["spearman-rdm"] = "(b) Spearman of two 5,000-item RDMs",
        ["pearson-20k"] = "(c) Pearson RSA 20,000 x 384 vs 20,000 x 100",
        ["spearman-20k"] = "(d) Spearman RSA, 20,000 items",
        ["rank-5k"] = "(d5) rank route, 5,000 x 384 vs x 100: Spearman, then Kendall tau-b",
        ["scale-100k"] = "(e) Pearson RSA + linear CKA, 100,000 items",
        ["gemm"] = "(f) GEMM GFLOP/s",
        ["compare"] = "(g) compare 5,000 x 384, all measures + 1,000 perms",
    };

    public static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length > 0 && args[0] == "forward") return ForwardBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "forward-memory") return MappedWeightsBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "grid") return GridBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "forward-decoders") return DecoderShapesBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "forward-llama") return LlamaForwardBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "llamacpp-reference") return LlamaCppReference.Run(args[1..]);
        if (args.Length > 0 && args[0] == "numerics") { NumericsBench.Run(Console.Out); return 0; }
        if (args.Length > 0 && args[0] == "gguf-embeddings") return GgufEmbeddingBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "gguf-dequant") return GgufEmbeddingBenchmark.RunDequant();
        if (args.Length > 0 && args[0] == "measures") return MeasuresBenchmark.Run(args[1..]);
        if (args.Length >= 3 && args[0] == "--child") return Child(args[1], args[2]);

        var cases = args.Where(a => !a.StartsWith("--")).ToList();
        if (cases.Count == 0) cases = [.. AllCases];
        foreach (var c in cases)
            if (!AllCases.Contains(c)) { Console.Error.WriteLine($"unknown case '{c}'; cases: {string.Join(", ", AllCases)}"); return 2; }
        bool baseline = !args.Contains("--no-baseline");
        bool baselineAll = args.Contains("--baseline-all");
        string data = ArgValue(args, "--data") ?? Path.Combine(Path.GetTempPath(), "simile-bench");
        Directory.CreateDirectory(data);

        Console.WriteLine($"Simile benchmarks — {Environment.ProcessorCount} cores, {Cpu()}");
        Console.WriteLine($"GEMM kernel: {Gemm.KernelDescription<float>()}; {Gemm.KernelDescription<double>()}");
        Console.WriteLine($"Theoretical peak (2 FMA/cycle, 256-bit datapath): {Peak(8):F0} GFLOP/s float32, {Peak(4):F0} GFLOP/s float64 at {Ghz():F2} GHz");
        Console.WriteLine($"Inputs: {data} (seeded, .npy float32)");
        string? script = FindBaselineScript();
        string? python = baseline && script is not null ? FindPython() : null;
        Console.WriteLine(python is null ? "Baseline: not run (no python3 with numpy+scipy, or --no-baseline)" : $"Baseline: {python} {script}");
        Console.WriteLine();

        Inputs.Write(data, cases);
        foreach (var kv in CliBench.Titles) Titles.TryAdd(kv.Key, kv.Value);
        string? repo = CliBench.RepoRoot();
        if (cases.Any(c => c.StartsWith("cli-")) && repo is not null) CliBench.Prepare(repo);
        var rows = new List<string[]>();
        foreach (var c in cases)
        {
            Console.WriteLine($"== {Titles[c]}");
            if (c.StartsWith("cli-"))
            {
                Console.WriteLine($"  load before: {File.ReadAllText("/proc/loadavg").Trim()}");
                var me = CliBench.RunSimile(repo!, c, data);
                PrintResult("simile", me);
                Dictionary<string, JsonElement>? base_ = null;
                string? why = CliBench.NoBaseline(c);
                if (python is not null && c != "cli-startup")
                {
                    if (why is not null && !baselineAll) Console.WriteLine($"  numpy : skipped ({why})");
                    else { base_ = CliBench.RunBaseline(python, script!, c, data); PrintResult("numpy ", base_); }
                }
                if (CliBench.RatioLine(c, me, base_) is string ratio) Console.WriteLine("  " + ratio);
                rows.Add(SummaryRow(c, me, base_));
                Console.WriteLine();
                continue;
            }
            var mine = RunChild(c, data);
            PrintResult("simile", mine);
            Dictionary<string, JsonElement>? theirs = null;
            if (python is not null)
            {
                bool tooBig = c is "scale-100k" || (c is "spearman-20k" && !baselineAll);
                if (tooBig) Console.WriteLine("  numpy : skipped (" + (c == "scale-100k" ? "pdist needs 40 GB per model at 100,000 items" : "scipy needs ~10 GB here; --baseline-all runs it") + ")");
                else
                {
                    theirs = RunPython(python, script!, c, data);
                    PrintResult("numpy ", theirs);
                }
            }
            rows.Add(SummaryRow(c, mine, theirs));
            Console.WriteLine();
        }
        Console.WriteLine("| case | simile wall s | simile cpu s | simile peak MB | numpy wall s | numpy cpu s | numpy peak MB | speed-up (wall) | speed-up (cpu) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows) Console.WriteLine("| " + string.Join(" | ", r) + " |");
        return 0;
    }

    // ------------------------------------------------------------------ orchestration

    private static Dictionary<string, JsonElement>? RunChild(string c, string data)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        string? dll = typeof(Program).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--child"); psi.ArgumentList.Add(c); psi.ArgumentList.Add(data);
        return RunJson(psi);
    }

    private static Dictionary<string, JsonElement>? RunPython(string python, string script, string c, string data)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script); psi.ArgumentList.Add(c); psi.ArgumentList.Add(data);
        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        psi.Environment["OPENBLAS_NUM_THREADS"] = Environment.ProcessorCount.ToString();
        return RunJson(psi);
    }

    private static Dictionary<string, JsonElement>? RunJson(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi)!;
        string? last = null;
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith('{')) last = line;
            else Console.WriteLine("    " + line);
        }
        p.WaitForExit();
        if (last is null) { Console.WriteLine($"  (no result, exit code {p.ExitCode})"); return null; }
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(last);
    }

    private static void PrintResult(string who, Dictionary<string, JsonElement>? r)
    {
        if (r is null) return;
        var sb = new StringBuilder($"  {who}: wall {Num(r, "wall_s"):F2} s, cpu {Num(r, "cpu_s"):F2} s, peak {Num(r, "peak_mb"):F0} MB");
        foreach (var kv in r)
            if (kv.Key is not ("wall_s" or "cpu_s" or "peak_mb" or "case"))
                sb.Append($"; {kv.Key} = {kv.Value}");
        Console.WriteLine(sb.ToString());
    }

    private static string[] SummaryRow(string c, Dictionary<string, JsonElement>? a, Dictionary<string, JsonElement>? b)
    {
        string F(Dictionary<string, JsonElement>? r, string k, string fmt) => r is null || !r.ContainsKey(k) ? "–" : Num(r, k).ToString(fmt);
        string Ratio(string k) => a is null || b is null ? "–" : $"{Num(b, k) / Num(a, k):F1}x";
        return [Titles[c], F(a, "wall_s", "F2"), F(a, "cpu_s", "F2"), F(a, "peak_mb", "F0"),
            F(b, "wall_s", "F2"), F(b, "cpu_s", "F2"), F(b, "peak_mb", "F0"), Ratio("wall_s"), Ratio("cpu_s")];
    }

    private static double Num(Dictionary<string, JsonElement> r, string k) =>
        r.TryGetValue(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    private static string? ArgValue(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? FindBaselineScript()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "bench", "baseline.py");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static string? FindPython()
    {
        foreach (var py in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var psi = new ProcessStartInfo(py, ["-c", "import numpy, scipy"]) { UseShellExecute = false, RedirectStandardError = true };
                using var p = Process.Start(psi)!;
                p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode == 0) return py;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    private static string Cpu()
    {
        try
        {
            var name = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
            return name?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException) { return "unknown CPU"; }
    }

    private static double Ghz()
    {
        try
        {
            var mhz = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz"));
            return mhz is null ? 2.6 : double.Parse(mhz.Split(':', 2)[1].Trim(), CultureInfo.InvariantCulture) / 1000;
        }
        catch (IOException) { return 2.6; }
    }

    /// <summary>cores × GHz × 2 FMA units × lanes per 256-bit unit × 2 flops.</summary>
    private static double Peak(int lanes) => Environment.ProcessorCount * Ghz() * 2 * lanes * 2;

    // ------------------------------------------------------------------ child: one case

    private static int Child(string c, string data)
    {
        var result = new Dictionary<string, object> { ["case"] = c };
        var proc = Process.GetCurrentProcess();
        Warmup();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        switch (c)
        {
            case "rdm":
                {
                    var x = Inputs.Read(data, "a5k");
                    var t = Stopwatch.StartNew();
                    var cos = Dissimilarity.Compute(x, DissimilarityKind.Cosine);
                    result["cosine_s"] = t.Elapsed.TotalSeconds;
                    t.Restart();
                    var cor = Dissimilarity.Compute(x, DissimilarityKind.Correlation);
                    result["correlation_s"] = t.Elapsed.TotalSeconds;
                    result["checksum"] = cos.Condensed[12345] + cor.Condensed[54321];
                    // The whole-vocabulary block iterator producing the same condensed cosine vector (for comparison).
                    t.Restart();
                    var pairs = new PairDissimilarities(x, DissimilarityKind.Cosine, "a", null);
                    var condensed = new double[CondensedIndex.Length(x.Rows)];
                    var block = new double[(long)PairDissimilarities.BlockRows(x.Rows) * x.Rows];
                    for (int i0 = 0; i0 < x.Rows - 1; i0 += PairDissimilarities.BlockRows(x.Rows))
                    {
                        int i1 = Math.Min(x.Rows - 1, i0 + PairDissimilarities.BlockRows(x.Rows)), n = x.Rows, b0 = i0;
                        pairs.ComputeBlock(i0, i1, block);
                        Parallel.For(i0, i1, i =>
                        {
                            long k = CondensedIndex.RowStart(n, i);
                            for (int j = i + 1; j < n; j++, k++) condensed[k] = pairs.Value(block, b0, i, j);
                        });
                    }
                    result["blockwise_cosine_s"] = t.Elapsed.TotalSeconds;
                    result["blockwise_max_abs_diff"] = condensed.Zip(cos.Condensed, (p, q) => Math.Abs(p - q)).Max();
                    break;
                }
            case "spearman-rdm":
                {
                    var ra = Dissimilarity.Compute(Inputs.Read(data, "a5k"), DissimilarityKind.Cosine).Condensed;
                    var rb = Dissimilarity.Compute(Inputs.Read(data, "b5k"), DissimilarityKind.Cosine).Condensed;
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    result["spearman"] = RsaMeasures.Spearman(ra, rb);
                    break;
                }
            case "pearson-20k":
                {
                    var a = Inputs.Read(data, "a20k");
                    var b = Inputs.Read(data, "b20k");
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    result["pearson"] = FeatureSpaceRsa.Pearson(a, b, DissimilarityKind.Cosine);
                    break;
                }
            case "spearman-20k":
                {
                    var a = Inputs.Read(data, "a20k");
                    var b = Inputs.Read(data, "b20k");
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    var r = LargeScaleRankRsa.Compute(a, b, DissimilarityKind.Cosine, [RsaMeasure.Spearman]);
                    result["spearman"] = r.Values[RsaMeasure.Spearman];
                    result["route_peak_mb"] = r.PeakBytes / 1e6;
                    foreach (var kv in r.Timings) result["t_" + kv.Key] = Math.Round(kv.Value, 2);
                    break;
                }
            case "rank-5k":
                {
                    var a = Inputs.Read(data, "a5k");
                    var b = Inputs.Read(data, "b5k100");
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    var r = LargeScaleRankRsa.Compute(a, b, DissimilarityKind.Cosine, [RsaMeasure.Spearman]);
                    result["spearman"] = r.Values[RsaMeasure.Spearman];
                    result["spearman_s"] = Math.Round(sw.Elapsed.TotalSeconds, 3);
                    foreach (var kv in r.Timings) result["t_" + kv.Key] = Math.Round(kv.Value, 3);
                    var t = Stopwatch.StartNew();
                    var k = LargeScaleRankRsa.Compute(a, b, DissimilarityKind.Cosine, [RsaMeasure.KendallTauB]);
                    result["kendall_tau_b"] = k.Values[RsaMeasure.KendallTauB];
                    result["kendall_s"] = Math.Round(t.Elapsed.TotalSeconds, 3);
                    foreach (var kv in k.Timings) result["k_" + kv.Key] = Math.Round(kv.Value, 3);
                    break;
                }
            case "scale-100k":
                {
                    var a = Inputs.Read(data, "a100k");
                    var b = Inputs.Read(data, "b100k");
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    var t = Stopwatch.StartNew();
                    result["pearson"] = FeatureSpaceRsa.Pearson(a, b, DissimilarityKind.Cosine);
                    result["pearson_s"] = t.Elapsed.TotalSeconds;
                    t.Restart();
                    result["linear_cka"] = Cka.Linear(a, b);
                    result["cka_s"] = t.Elapsed.TotalSeconds;
                    break;
                }
            case "gemm":
                foreach (var (m, n, k) in new[] { (1024, 1024, 1024), (384, 384, 20000), (2048, 2048, 384) })
                {
                    result[$"float_{m}x{n}x{k}_gflops"] = Math.Round(GemmRate<float>(m, n, k), 1);
                    result[$"double_{m}x{n}x{k}_gflops"] = Math.Round(GemmRate<double>(m, n, k), 1);
                }
                result["peak_float_gflops"] = Math.Round(Peak(8), 0);
                result["peak_double_gflops"] = Math.Round(Peak(4), 0);
                break;
            case "compare":
                {
                    var a = Inputs.Read(data, "a5k");
                    var b = Inputs.Read(data, "b5k");
                    cpu0 = proc.TotalProcessorTime;
                    sw.Restart();
                    var r = WholeVocabularyRsa.Run(a, b, DissimilarityKind.Cosine, Enum.GetValues<RsaMeasure>(), permutations: 1000, seed: 1);
                    foreach (var kv in r.Measures) result[kv.Key.Name()] = kv.Value;
                    result["pearson_p"] = r.PearsonPermutation!.PValue;
                    foreach (var kv in r.Timings) result["t_" + kv.Key] = Math.Round(kv.Value, 2);
                    result["linear_cka"] = Cka.Linear(a, b);
                    result["debiased_cka"] = Cka.LinearDebiased(a, b);
                    break;
                }
        }
        result["wall_s"] = sw.Elapsed.TotalSeconds;
        result["cpu_s"] = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        proc.Refresh();
        result["peak_mb"] = proc.PeakWorkingSet64 / 1e6;
        result["gc_max_committed_mb"] = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes / 1e6;
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Runs each route once on tiny inputs so JIT time is not measured.</summary>
    private static void Warmup()
    {
        var rng = new SeededRandom(5);
        var a = new Matrix(40, 12); var b = new Matrix(40, 7);
        for (int i = 0; i < a.Values.Length; i++) a.Values[i] = rng.NextGaussian();
        for (int i = 0; i < b.Values.Length; i++) b.Values[i] = rng.NextGaussian();
        WholeVocabularyRsa.Run(a, b, DissimilarityKind.Cosine, Enum.GetValues<RsaMeasure>(), permutations: 5, seed: 1);
        var ra = Dissimilarity.Compute(a, DissimilarityKind.Cosine).Condensed;
        var rb = Dissimilarity.Compute(b, DissimilarityKind.Cosine).Condensed;
        RsaMeasures.Spearman(ra, rb);
        Dissimilarity.Compute(a, DissimilarityKind.Correlation);
        Cka.Linear(a, b);
        Cka.LinearDebiased(a, b);
        GemmRate<float>(64, 64, 64, 0.01);
        GemmRate<double>(64, 64, 64, 0.01);
    }

    private static double GemmRate<T>(int m, int n, int k, double seconds = 1.5) where T : unmanaged, System.Numerics.INumber<T>
    {
        var rng = new SeededRandom(3);
        var a = new T[(long)m * k]; var b = new T[(long)k * n]; var c = new T[(long)m * n];
        for (int i = 0; i < a.Length; i++) a[i] = T.CreateTruncating(rng.NextDouble());
        for (int i = 0; i < b.Length; i++) b[i] = T.CreateTruncating(rng.NextDouble());
        void Once()
        {
            if (typeof(T) == typeof(float)) Gemm.Multiply((float[])(object)a, (float[])(object)b, (float[])(object)c, m, n, k);
            else Gemm.Multiply((double[])(object)a, (double[])(object)b, (double[])(object)c, m, n, k);
        }
        Once();
        int reps = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || reps < 2) { Once(); reps++; }
        return 2.0 * m * n * k * reps / sw.Elapsed.TotalSeconds / 1e9;
    }
}

/// <summary>The seeded benchmark inputs, shared with bench/baseline.py as float32 .npy files.</summary>
internal static class Inputs
{
    /// <summary>name → (items, features, model): model B shares model A's latent structure.</summary>
    private static readonly Dictionary<string, (int N, int D, int Model)> Shapes = new()
    {
        ["a5k"] = (5_000, 384, 0), ["b5k"] = (5_000, 384, 1),
        ["a20k"] = (20_000, 384, 0), ["b20k"] = (20_000, 100, 1),
        ["a100k"] = (100_000, 384, 0), ["b100k"] = (100_000, 100, 1),
        ["b5k100"] = (5_000, 100, 1), ["a60k"] = (60_000, 50, 0), ["b60k"] = (60_000, 30, 1), ["a30k"] = (30_000, 384, 0),
    };

    private static IEnumerable<string> For(string c) => c switch
    {
        "rdm" => ["a5k"],
        "spearman-rdm" or "compare" => ["a5k", "b5k"],
        "pearson-20k" or "spearman-20k" => ["a20k", "b20k"],
        "rank-5k" => ["a5k", "b5k100"],
        "scale-100k" => ["a100k", "b100k"],
        _ => CliBench.InputsFor(c),
    };

    public static void Write(string dir, IEnumerable<string> cases)
    {
        foreach (var name in cases.SelectMany(For).Distinct())
        {
            string path = Path.Combine(dir, name + ".npy");
            if (File.Exists(path)) continue;
            var (n, d, model) = Shapes[name];
            var values = Generate(n, d, model);
            string tmp = path + ".tmp";
            Npy.WriteFloat32(tmp, n, d, values);
            File.Move(tmp, path, overwrite: true);
        }
    }

    public static Matrix Read(string dir, string name)
    {
        var (n, d, values) = Npy.ReadFloat32(Path.Combine(dir, name + ".npy"));
        return Matrix.FromFloats(n, d, values);
    }

    /// <summary>n×d = latent(n×16)·W(16×d) + noise, with a positive offset like real embeddings; the latent
    /// factors depend only on the item index (seed 42), W and the noise on the model.</summary>
    private static float[] Generate(int n, int d, int model)
    {
        const int r = 16;
        var latent = new double[(long)n * r];
        var lr = new SeededRandom(42);
        for (long i = 0; i < latent.Length; i++) latent[i] = lr.NextGaussian();
        var wr = new SeededRandom(1000 + (ulong)model);
        var w = new double[r * d];
        for (int i = 0; i < w.Length; i++) w[i] = wr.NextGaussian() / Math.Sqrt(r);
        var x = new float[(long)n * d];
        Parallel.For(0, (n + 1023) / 1024, blk =>
        {
            var nr = SeededRandom.ForBlock(2000 + (ulong)model, blk);
            for (int i = blk * 1024; i < Math.Min(n, blk * 1024 + 1024); i++)
                for (int j = 0; j < d; j++)
                {
                    double v = 0.3 + 0.8 * nr.NextGaussian();
                    for (int c = 0; c < r; c++) v += latent[(long)i * r + c] * w[c * d + j];
                    x[(long)i * d + j] = (float)v;
                }
        });
        return x;
    }
}

/// <summary>Minimal .npy (format 1.0) reader/writer for little-endian float32 2-D C-order arrays.</summary>
internal static class Npy
{
    public static void WriteFloat32(string path, int rows, int cols, float[] values)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        f.Write(BitConverter.GetBytes((ushort)header.Length));
        f.Write(Encoding.ASCII.GetBytes(header));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    public static (int Rows, int Cols, float[] Values) ReadFloat32(string path)
    {
        using var f = File.OpenRead(path);
        var pre = new byte[10];
        f.ReadExactly(pre);
        int hlen = BitConverter.ToUInt16(pre, 8);
        var hb = new byte[hlen];
        f.ReadExactly(hb);
        string header = Encoding.ASCII.GetString(hb);
        if (!header.Contains("'<f4'")) throw new InvalidDataException($"{path}: expected float32 .npy");
        var shape = header[(header.IndexOf("'shape': (") + 10)..];
        shape = shape[..shape.IndexOf(')')];
        var parts = shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int rows = int.Parse(parts[0]), cols = int.Parse(parts[1]);
        var values = new float[(long)rows * cols];
        f.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return (rows, cols, values);
    }
}
