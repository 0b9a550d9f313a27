using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Simile.Bench;

/// <summary>
/// End-to-end cases: <c>./simile</c> run as a user runs it (a fresh process, start-up included), timed with
/// /usr/bin/time (wall, user+sys CPU, peak RSS); the numpy/scipy baseline is a fresh <c>python3 baseline.py</c>
/// process timed the same way (interpreter start and imports included).
/// </summary>
internal static class CliBench
{
    public static readonly Dictionary<string, string> Titles = new()
    {
        ["cli-pearson-20k"] = "(h) ./simile compare --measures pearson, 20,000 x 384 vs x 100",
        ["cli-all-5k"] = "(i) ./simile compare (all measures), 5,000 x 384 vs x 100",
        ["cli-spearman-5k"] = "(j) ./simile compare --measures spearman, 5,000 items",
        ["cli-kendall-5k"] = "(j2) ./simile compare --measures kendall_tau_b, 5,000 items",
        ["cli-100k"] = "(k) ./simile compare --measures pearson,cka, 100,000 items",
        ["cli-spearman-60k"] = "(l) ./simile compare --measures spearman --permutations 100 --memory 16GB, 60,000 items",
        ["cli-rdm-30k"] = "(m) ./simile rdm 30,000 x 384 to .npy float32",
        ["cli-startup"] = "(n) ./simile compare, 34 x 8 vs x 6 (start-up)",
    };

    /// <summary>Inputs of each case (see <see cref="Inputs"/>).</summary>
    public static IEnumerable<string> InputsFor(string c) => c switch
    {
        "cli-pearson-20k" => ["a20k", "b20k"],
        "cli-all-5k" or "cli-spearman-5k" or "cli-kendall-5k" => ["a5k", "b5k100"],
        "cli-100k" => ["a100k", "b100k"],
        "cli-spearman-60k" => ["a60k", "b60k"],
        "cli-rdm-30k" => ["a30k"],
        _ => [],
    };

    /// <summary>Cases whose numpy/scipy baseline is not run (it would need tens of GB, or has nothing to compare).</summary>
    public static string? NoBaseline(string c) => c switch
    {
        "cli-100k" => "pdist needs 40 GB per model at 100,000 items",
        "cli-spearman-60k" => "scipy would need about 60 GB for two 1.8 G-pair RDMs and their ranks",
        "cli-rdm-30k" => "pdist + squareform need about 11 GB at 30,000 items",
        _ => null,
    };

    public static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "simile")) && File.Exists(Path.Combine(d.FullName, "Simile.slnx"))) return d.FullName;
        return null;
    }

    /// <summary>Builds the CLI through the launcher once (not timed) so the cases time calls, not the build.</summary>
    public static void Prepare(string repo)
    {
        var psi = new ProcessStartInfo(Path.Combine(repo, "simile"), ["models"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
    }

    public static string[] SimileArgs(string c, string data, string outDir) => c switch
    {
        "cli-pearson-20k" => ["compare", N(data, "a20k"), N(data, "b20k"), "--measures", "pearson", "--json"],
        "cli-all-5k" => ["compare", N(data, "a5k"), N(data, "b5k100"), "--json"],
        "cli-spearman-5k" => ["compare", N(data, "a5k"), N(data, "b5k100"), "--measures", "spearman", "--json"],
        "cli-kendall-5k" => ["compare", N(data, "a5k"), N(data, "b5k100"), "--measures", "kendall_tau_b", "--json"],
        "cli-100k" => ["compare", N(data, "a100k"), N(data, "b100k"), "--measures", "pearson,cka", "--json"],
        "cli-spearman-60k" => ["compare", N(data, "a60k"), N(data, "b60k"), "--measures", "spearman", "--permutations", "100",
            "--memory", "16GB", "--json"],
        "cli-rdm-30k" => ["rdm", N(data, "a30k"), "--dtype", "float32", "--out", Path.Combine(outDir, "rdm-30k.npy")],
        "cli-startup" => ["compare", Path.Combine(RepoRoot()!, "examples", "model-a.csv"), Path.Combine(RepoRoot()!, "examples", "model-b.csv"), "--json"],
        _ => throw new ArgumentException(c),
    };

    /// <summary>The measure a single-measure case compares with scipy, for its ratio line.</summary>
    public static string? RatioMeasure(string c) => c switch
    {
        "cli-spearman-5k" => "rsa.spearman",
        "cli-kendall-5k" => "rsa.kendall_tau_b",
        _ => null,
    };

    /// <summary>"ratio MEASURE &lt;numpy wall ÷ simile wall&gt;" and both values, for cases with one measure.</summary>
    public static string? RatioLine(string c, Dictionary<string, JsonElement>? simile, Dictionary<string, JsonElement>? numpy)
    {
        string? key = RatioMeasure(c);
        if (key is null || simile is null || numpy is null) return null;
        if (!simile.TryGetValue(key, out var mine) || !numpy.TryGetValue(key, out var theirs)) return null;
        double ratio = numpy["wall_s"].GetDouble() / simile["wall_s"].GetDouble();
        double cpuRatio = numpy["cpu_s"].GetDouble() / simile["cpu_s"].GetDouble();
        double a = mine.GetDouble(), b = theirs.GetDouble();
        return string.Create(CultureInfo.InvariantCulture,
            $"ratio {key["rsa.".Length..]} {ratio:F2} (wall; cpu {cpuRatio:F2}); simile {a:R}, scipy {b:R}, |difference| {Math.Abs(a - b):E2}");
    }

    private static string N(string data, string name) => Path.Combine(data, name + ".npy");

    /// <summary>Runs ./simile for case c; returns wall/cpu/peak of the process plus the JSON's numbers (or the error line).</summary>
    public static Dictionary<string, JsonElement>? RunSimile(string repo, string c, string data)
    {
        string outDir = Path.Combine(data, "out");
        Directory.CreateDirectory(outDir);
        var result = new Dictionary<string, object> { ["case"] = c };
        // Cases under a few seconds run 5 times and report the median run (wall, with that run's CPU and peak):
        // one run of a sub-second process varies by ±20 % with page-cache and scheduler state.
        int reps = c is "cli-startup" or "cli-pearson-20k" or "cli-all-5k" or "cli-spearman-5k" or "cli-kendall-5k" ? 5 : 1;
        var runs = new List<(double Wall, double Cpu, double Peak)>();
        for (int rep = 0; rep < reps; rep++)
        {
            var (code, stdout, stderr, wall, cpu, peak) = Timed(Path.Combine(repo, "simile"), SimileArgs(c, data, outDir));
            runs.Add((wall, cpu, peak));
            result["exit"] = code;
            if (code != 0) result["stderr"] = stderr.Trim();
            else if (stdout.TrimStart().StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(stdout);
                Flatten(doc.RootElement, "", result);
            }
            else result["stdout"] = stdout.Trim();
        }
        var median = runs.OrderBy(r => r.Wall).ElementAt(runs.Count / 2);
        result["wall_s"] = median.Wall;
        result["cpu_s"] = median.Cpu;
        result["peak_mb"] = median.Peak;
        result["runs"] = runs.Count;
        if (c == "cli-rdm-30k")
        {
            string f = Path.Combine(outDir, "rdm-30k.npy");
            if (File.Exists(f)) { result["file_mb"] = new FileInfo(f).Length / 1e6; File.Delete(f); }
        }
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(result));
    }

    /// <summary>Runs baseline.py for case c in a fresh process, timed the same way.</summary>
    public static Dictionary<string, JsonElement>? RunBaseline(string python, string script, string c, string data)
    {
        var (code, stdout, stderr, wall, cpu, peak) = Timed(python, [script, c, data], python: true);
        string? line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (code != 0 || line is null) { Console.WriteLine($"  numpy : failed (exit {code}): {stderr.Trim()}"); return null; }
        var r = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
        var result = new Dictionary<string, object>();
        foreach (var kv in r) result[kv.Key] = kv.Value;
        result["inner_wall_s"] = r["wall_s"];
        result["wall_s"] = wall;
        result["cpu_s"] = cpu;
        result["peak_mb"] = peak;
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(result));
    }

    private static (int Code, string Stdout, string Stderr, double Wall, double Cpu, double PeakMb) Timed(string exe, string[] args, bool python = false)
    {
        string timeFile = Path.GetTempFileName();
        bool haveTime = File.Exists("/usr/bin/time");
        var psi = haveTime ? new ProcessStartInfo("/usr/bin/time") : new ProcessStartInfo(exe);
        if (haveTime) { psi.ArgumentList.Add("-f"); psi.ArgumentList.Add("%e %U %S %M"); psi.ArgumentList.Add("-o"); psi.ArgumentList.Add(timeFile); psi.ArgumentList.Add(exe); }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true; psi.RedirectStandardError = true; psi.UseShellExecute = false;
        psi.Environment["SIMILE_NO_PROGRESS"] = "1";
        if (python)
        {
            psi.Environment.Remove("OPENBLAS_CORETYPE");
            psi.Environment.Remove("OPENBLAS_L2_SIZE");
            psi.Environment["OPENBLAS_NUM_THREADS"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double wall = sw.Elapsed.TotalSeconds, cpu = double.NaN, peak = double.NaN;
        if (haveTime)
        {
            var last = File.ReadAllLines(timeFile).LastOrDefault(l => l.Split(' ').Length == 4);
            if (last is not null)
            {
                var f = last.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                wall = f[0]; cpu = f[1] + f[2]; peak = f[3] / 1000;
            }
        }
        File.Delete(timeFile);
        return (p.ExitCode, stdout, err.Result, wall, cpu, peak);
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, object> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    if (p.Name is not ("per_item" or "features")) Flatten(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, into);
                break;
            case JsonValueKind.Number:
                into[prefix] = e.GetDouble();
                break;
        }
    }
}
