using System.Diagnostics;
using System.Globalization;
using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Engine;

namespace Simile.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Simile.Bench -- measures [--sizes 10000,100000] [--k 10]</c>:
/// registry kNN measures on X n×384 vs Y n×100 (Y = X·W + noise, seeded), each (measure, n) in its own child process
/// so that its peak working set is its own. Peer figures (platonic-rep on this machine, torch 2 threads, n = 10,000,
/// k = 10): mutual_knn 11.4 s / 2.6 GB, cknna 35 s / 4.5 GB (issue 14); the ratios are printed against them.
/// </summary>
public static class MeasuresBenchmark
{
    private static readonly Dictionary<string, (double Seconds, double Gb)> Peer = new()
    {
        ["mutual_knn"] = (11.4, 2.6),
        ["cknna"] = (35.0, 4.5),
    };

    public static int Run(string[] args)
    {
        if (args.Length >= 4 && args[0] == "--child")
            return Child(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        var sizes = (Value(args, "--sizes") ?? "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        int k = int.Parse(Value(args, "--k") ?? "10", CultureInfo.InvariantCulture);
        var measures = (Value(args, "--measures") ?? "mutual_knn,cknna").Split(',');
        Console.WriteLine($"Registry kNN measures — {Environment.ProcessorCount} cores, GEMM {Gemm.KernelDescription<double>()}; X n×384 vs Y n×100, k = {k}");
        Console.WriteLine($"{"measure",-12} {"n",8} {"time s",9} {"peak GB",8} {"value",10} {"cpu s",7}   vs peer (n = 10,000: time ×, memory ×)");
        foreach (int n in sizes)
            foreach (var m in measures)
            {
                var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in Environment.GetCommandLineArgs().Skip(1).TakeWhile(a => a != "measures")) psi.ArgumentList.Add(a);
                psi.ArgumentList.Add("measures"); psi.ArgumentList.Add("--child"); psi.ArgumentList.Add(m);
                psi.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture)); psi.ArgumentList.Add(k.ToString(CultureInfo.InvariantCulture));
                using var p = Process.Start(psi)!;
                string line = p.StandardOutput.ReadToEnd().Trim().Split('\n').Last();
                p.WaitForExit();
                var f = line.Split(' ');
                double seconds = double.Parse(f[0], CultureInfo.InvariantCulture), gb = double.Parse(f[1], CultureInfo.InvariantCulture);
                string ratio = n == 10_000 && Peer.TryGetValue(m, out var peer)
                    ? $"{peer.Seconds / seconds:0.0}× faster, {peer.Gb / gb:0.0}× less memory (peer {peer.Seconds} s / {peer.Gb} GB)"
                    : n == 100_000 ? $"target < 120 s, < 2 GB: {(seconds < 120 && gb < 2 ? "met" : "NOT met")}" : "";
                Console.WriteLine($"{m,-12} {n,8:N0} {seconds,9:F2} {gb,8:F2} {f[2],10} {f[3],7}   {ratio}");
            }
        return 0;
    }

    private static int Child(string measure, int n, int k)
    {
        var (x, y) = Inputs(n);
        using var before = Process.GetCurrentProcess();
        double cpu0 = before.TotalProcessorTime.TotalSeconds;
        var watch = Stopwatch.StartNew();
        double v = MeasureRegistry.Compute(measure, x, y, new MeasureParameters { K = k });
        watch.Stop();
        using var proc = Process.GetCurrentProcess();
        proc.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F3} {proc.PeakWorkingSet64 / 1e9:F3} {v:F6} {proc.TotalProcessorTime.TotalSeconds - cpu0:F1}"));
        return 0;
    }

    /// <summary>X n×384 standard normal, Y = X·W (384×100, N(0, 1/384)) + N(0, 1) noise, from a fixed seed.</summary>
    internal static (Matrix X, Matrix Y) Inputs(int n)
    {
        var rng = new Random(20261201);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = new Matrix(n, 384);
        for (int i = 0; i < x.Values.Length; i++) x.Values[i] = Normal();
        var w = new double[384 * 100];
        for (int i = 0; i < w.Length; i++) w[i] = Normal() / Math.Sqrt(384);
        var y = new Matrix(n, 100);
        Gemm.Multiply(x.Values, w, y.Values, n, 100, 384);
        for (int i = 0; i < y.Values.Length; i++) y.Values[i] += Normal();
        return (x, y);
    }

    private static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
