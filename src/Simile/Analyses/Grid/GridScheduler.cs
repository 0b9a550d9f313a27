using System.Globalization;
using System.Text;
using Simile.Data;

namespace Simile.Analyses.Grid;

/// <summary>Resources of the generated Slurm jobs (null: the cluster's default).</summary>
public sealed record SbatchOptions
{
    public string? Partition { get; init; }
    public string? Time { get; init; }
    public string? Memory { get; init; }
    public int? CpusPerTask { get; init; }
    /// <summary>At most this many array tasks at once (<c>--array=0-N%T</c>).</summary>
    public int? Throttle { get; init; }
    /// <summary>Comparison shards (default: the plan's).</summary>
    public int? Shards { get; init; }
    /// <summary>The command that runs Simile on the compute nodes (default: this program).</summary>
    public string? Simile { get; init; }
    public string JobName { get; init; } = "simile-grid";
}

/// <summary>
/// The scheduler side of a grid: task indices from job-array environments, and the Slurm scripts
/// (extraction array → comparison array with <c>--dependency=afterok</c> → merge job, chained by <c>submit.sh</c>).
/// </summary>
public static class GridScheduler
{
    /// <summary>
    /// The array task of this process from the scheduler's environment: Slurm (<c>SLURM_ARRAY_TASK_ID</c>,
    /// <c>SLURM_ARRAY_TASK_COUNT</c>), PBS Pro/OpenPBS (<c>PBS_ARRAY_INDEX</c>) and Torque (<c>PBS_ARRAYID</c>), SGE
    /// (<c>SGE_TASK_ID</c>, 1-based, <c>SGE_TASK_LAST</c>) and LSF (<c>LSB_JOBINDEX</c>, 1-based, <c>LSB_JOBINDEX_END</c>).
    /// Index is 0-based; Count is null where the scheduler does not say how many tasks there are.
    /// </summary>
    public static (int Index, int? Count, string Source)? ArrayTask(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        int? Int(string name) => int.TryParse(env(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
        if (Int("SLURM_ARRAY_TASK_ID") is int slurm) return (slurm, Int("SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_ID");
        if (Int("PBS_ARRAY_INDEX") is int pbs) return (pbs, null, "PBS_ARRAY_INDEX");
        if (Int("PBS_ARRAYID") is int torque) return (torque, null, "PBS_ARRAYID");
        if (Int("SGE_TASK_ID") is int sge) return (sge - 1, Int("SGE_TASK_LAST"), "SGE_TASK_ID");
        if (Int("LSB_JOBINDEX") is int lsf and > 0) return (lsf - 1, Int("LSB_JOBINDEX_END"), "LSB_JOBINDEX");
        return null;
    }

    /// <summary>
    /// Parses <c>--shard I/N</c>; without it, the array task from the environment (N from the scheduler, else the plan's
    /// shard count). Throws with the fix when neither is there.
    /// </summary>
    public static (int Shard, int Of) ResolveShard(string? spec, GridPlan plan, Func<string, string?>? env = null)
    {
        if (!string.IsNullOrWhiteSpace(spec))
        {
            var parts = spec.Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
                && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            {
                GridCompare.CheckShard(i, n);
                return (i, n);
            }
            throw new SimileException($"--shard '{spec}' is not of the form I/N", "pass e.g. --shard 0/4 (shard 0 of 4; I from 0 to N−1)");
        }
        var task = ArrayTask(env)
            ?? throw new SimileException("no --shard given and no job-array index in the environment",
                "pass --shard I/N, or run inside a job array (SLURM_ARRAY_TASK_ID, PBS_ARRAY_INDEX, SGE_TASK_ID or LSB_JOBINDEX)");
        int of = task.Count ?? plan.Shards;
        GridCompare.CheckShard(task.Index, of);
        return (task.Index, of);
    }

    /// <summary>Parses <c>--task K</c>, or takes K from the job-array environment.</summary>
    public static int ResolveTask(int? task, GridPlan plan, Func<string, string?>? env = null)
    {
        int k = task ?? ArrayTask(env)?.Index
            ?? throw new SimileException("no --task given and no job-array index in the environment",
                $"pass --task K (K from 0 to {plan.Models.Count - 1}), or run inside a job array");
        GridExtract.CheckTask(plan, k);
        return k;
    }

    /// <summary>The command line that starts this program again (the apphost, or <c>dotnet simile.dll</c>).</summary>
    public static string ThisProgram()
    {
        string process = Environment.ProcessPath ?? "simile";
        string entry = System.Reflection.Assembly.GetEntryAssembly()?.Location ?? "";
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet && entry.Length > 0 ? $"{Quote(process)} {Quote(entry)}" : Quote(process);
    }

    /// <summary>A word for a POSIX shell: single-quoted unless it is plainly safe.</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or '=' or '%' or ',')
            ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>
    /// Writes <c>slurm/extract.sbatch</c>, <c>slurm/compare.sbatch</c>, <c>slurm/merge.sbatch</c> and
    /// <c>slurm/submit.sh</c> into the plan folder (and creates <c>logs/</c>, which Slurm needs to exist). Returns the paths.
    /// </summary>
    public static IReadOnlyList<string> WriteSbatch(GridPlan plan, SbatchOptions o)
    {
        string dir = plan.Folder ?? throw new InvalidOperationException("the plan has no folder");
        int shards = o.Shards ?? plan.Shards;
        if (shards < 1) throw new SimileException($"--shards {shards} is not a positive number", "use --shards 1 or more");
        if (o.Throttle is < 1) throw new SimileException($"--throttle {o.Throttle} is not a positive number", "use --throttle T ≥ 1 (at most T array tasks at once)");
        if (o.CpusPerTask is < 1) throw new SimileException($"--cpus-per-task {o.CpusPerTask} is not a positive number", "use --cpus-per-task 1 or more");
        string simile = string.IsNullOrWhiteSpace(o.Simile) ? ThisProgram() : o.Simile!;
        string q = Quote(dir);
        string logs = Path.Combine(dir, "logs");
        string slurm = Path.Combine(dir, "slurm");
        OutputPath.CheckFolder(logs);
        OutputPath.CheckFolder(slurm);
        string throttle = o.Throttle is int t ? $"%{t}" : "";
        int models = plan.Models.Count;

        string Header(string step, string? array, string log)
        {
            var sb = new StringBuilder("#!/bin/bash\n");
            sb.Append($"# simile grid: {step} for plan {plan.Hash[..12]} ({dir})\n");
            sb.Append($"#SBATCH --job-name={o.JobName}-{step}\n");
            if (array is not null) sb.Append($"#SBATCH --array={array}\n");
            sb.Append($"#SBATCH --chdir={dir}\n");
            sb.Append($"#SBATCH --output={Path.Combine(logs, log)}\n");
            if (o.Partition is { Length: > 0 } p) sb.Append($"#SBATCH --partition={p}\n");
            if (o.Time is { Length: > 0 } tm) sb.Append($"#SBATCH --time={tm}\n");
            if (o.Memory is { Length: > 0 } mem) sb.Append($"#SBATCH --mem={mem}\n");
            if (o.CpusPerTask is int c) sb.Append($"#SBATCH --cpus-per-task={c}\n");
            sb.Append("set -euo pipefail\n");
            sb.Append("export SIMILE_NO_PROGRESS=1\n");
            return sb.ToString();
        }

        var files = new List<(string Name, string Text)>
        {
            ("extract.sbatch", Header("extract", $"0-{models - 1}{throttle}", "extract-%A_%a.out") +
                $"# task K extracts model K ({string.Join(", ", plan.Models.Select((m, k) => $"{k}={m.Name}"))})\n" +
                $"exec {simile} grid extract --plan {q} --task \"$SLURM_ARRAY_TASK_ID\"\n"),
            ("compare.sbatch", Header("compare", $"0-{shards - 1}{throttle}", "compare-%A_%a.out") +
                $"# shard I of {shards}; rerun one failed shard with: sbatch --array=I {Path.Combine(slurm, "compare.sbatch")}\n" +
                $"exec {simile} grid compare --plan {q} --shard \"$SLURM_ARRAY_TASK_ID/{shards}\"\n"),
            ("merge.sbatch", Header("merge", null, "merge-%j.out") +
                $"exec {simile} grid merge --plan {q} --shards {shards}\n"),
            ("submit.sh",
                "#!/bin/bash\n" +
                $"# Submits the grid of plan {plan.Hash[..12]}: extraction array, then the comparison array once every extraction\n" +
                "# task succeeded (afterok), then the merge once every shard succeeded. Pass --wait to block until the merge ends\n" +
                "# (the exit code is then the merge job's). Any other arguments are passed to every sbatch call.\n" +
                "set -euo pipefail\n" +
                "here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n" +
                "wait_flag=()\nextra=()\n" +
                "for a in \"$@\"; do if [ \"$a\" = --wait ]; then wait_flag=(--wait); else extra+=(\"$a\"); fi; done\n" +
                "extract=$(sbatch --parsable \"${extra[@]}\" \"$here/extract.sbatch\")\n" +
                "extract=${extract%%;*}\n" +
                "compare=$(sbatch --parsable \"${extra[@]}\" --dependency=afterok:$extract \"$here/compare.sbatch\")\n" +
                "compare=${compare%%;*}\n" +
                "echo \"extract job $extract, compare job $compare\"\n" +
                "merge=$(sbatch --parsable \"${extra[@]}\" \"${wait_flag[@]}\" --dependency=afterok:$compare \"$here/merge.sbatch\")\n" +
                "echo \"merge job ${merge%%;*}\"\n"),
        };
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(slurm, name);
            AtomicFile.WriteAllText(path, text);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            written.Add(path);
        }
        return written;
    }
}
