using System.Diagnostics;

namespace Simile.Fuzz;

/// <summary>What went wrong with one input: an exception other than <see cref="SimileException"/>, a hang, too much memory, or a failed check.</summary>
public sealed record FuzzFailure(string Target, int Index, string Kind, string Detail, byte[] Input)
{
    public override string ToString() => $"{Target} #{Index}: {Kind}: {Detail}";
}

public sealed record FuzzReport(string Target, int Runs, int Succeeded, int Refused, IReadOnlyList<FuzzFailure> Failures, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Target,-26} {Runs,8} inputs  {Succeeded,7} read  {Refused,7} refused (SimileException)  {Failures.Count,4} failures  {Elapsed.TotalSeconds,7:0.0} s";
}

/// <summary>
/// Runs mutated inputs through a <see cref="FuzzTarget"/> in this process. Every input runs on a worker thread with a
/// time limit (a hang is reported and the worker abandoned) and an allocation limit (bytes allocated by the worker
/// thread while reading: <see cref="GC.GetAllocatedBytesForCurrentThread"/> delta). Accepted outcomes: success or
/// <see cref="SimileException"/>. Input i of a run is a pure function of (seed, target name, i), so a failure is
/// reproduced by its index.
/// </summary>
public sealed class FuzzRunner : IDisposable
{
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Allocation allowed per input: this many bytes plus <see cref="AllocationPerInputByte"/> × the input's size.</summary>
    public long AllocationBase { get; init; } = 64L << 20;
    public long AllocationPerInputByte { get; init; } = 16;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"simile-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private Worker? _worker;

    public FuzzReport Run(FuzzTarget target, int seed, int count, int firstIndex = 0, Action<FuzzFailure>? onFailure = null,
        Action<int, string>? onRefused = null)
    {
        var seeds = target.Seeds() ?? throw new InvalidOperationException($"{target.Name}: seed unavailable: {target.UnavailableReason}");
        var original = seeds[target.MutatedFile];
        var failures = new List<FuzzFailure>();
        int ok = 0, refused = 0;
        var sw = Stopwatch.StartNew();
        for (int i = firstIndex; i < firstIndex + count; i++)
        {
            var input = Mutator.Mutate(original, new Random(InputSeed(seed, target.Name, i)), target.Json);
            var (kind, detail) = RunOne(target, seeds, input);
            if (kind == "ok") ok++;
            else if (kind == "refused") { refused++; onRefused?.Invoke(i, detail); }
            else
            {
                var f = new FuzzFailure(target.Name, i, kind, detail, input);
                failures.Add(f);
                onFailure?.Invoke(f);
            }
        }
        return new FuzzReport(target.Name, count, ok, refused, failures, sw.Elapsed);
    }

    /// <summary>The seed of input <paramref name="index"/> (FNV-1a of the name mixed with the run seed and the index).</summary>
    public static int InputSeed(int seed, string target, int index)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in target) { h ^= c; h *= 1099511628211UL; }
        h ^= (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        h ^= (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>
    /// Runs one input: "ok", "refused" (SimileException) or a failure kind ("exception", "hang", "allocation", "check")
    /// with a one-line detail.
    /// </summary>
    public (string Kind, string Detail) RunOne(FuzzTarget target, IReadOnlyDictionary<string, byte[]> seeds, byte[] input)
    {
        string folder = Path.Combine(_root, "in");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        long total = 0;
        foreach (var (name, bytes) in seeds)
        {
            var data = name == target.MutatedFile ? input : bytes;
            File.WriteAllBytes(Path.Combine(folder, name), data);
            total += data.Length;
        }
        string path = Path.Combine(folder, target.MutatedFile);
        long limit = AllocationBase + AllocationPerInputByte * total;
        _worker ??= new Worker();
        var job = new Job(() => target.Run(folder, path));
        if (!_worker.Start(job, TimeLimit))
        {
            _worker = null;   // abandoned: it is stuck inside the reader
            return ("hang", $"no result within {TimeLimit.TotalSeconds:0.#} s");
        }
        if (job.Error is not null and not SimileException)
        {
            if (job.Error is FuzzCheckFailed c) return ("check", c.Message);
            return ("exception", Describe(job.Error));
        }
        if (job.Allocated > limit)
            return ("allocation", $"{job.Allocated / (1 << 20)} MB allocated for a {total}-byte input (limit {limit / (1 << 20)} MB)"
                                  + (job.Error is null ? "" : $"; then {job.Error.GetType().Name}"));
        return job.Error is null ? ("ok", "") : ("refused", ((SimileException)job.Error).OneLine);
    }

    public static string Describe(Exception e)
    {
        var frame = new StackTrace(e, false).GetFrames().Select(f => f.GetMethod()).FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Simile", StringComparison.Ordinal) == true);
        string at = frame is null ? "" : $" at {frame.DeclaringType?.Name}.{frame.Name}";
        return $"{e.GetType().FullName}: {e.Message.Replace('\n', ' ')}{at}";
    }

    public void Dispose()
    {
        _worker?.Stop();
        try { if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class Job(Action action)
    {
        public Exception? Error;
        public long Allocated;

        public void Execute()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { action(); }
            catch (Exception e) { Error = e; }
            Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    /// <summary>One background thread that runs jobs one at a time; a job that overruns its limit leaves the worker behind.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _go = new(0), _done = new(0);
        private Job? _job;
        private volatile bool _stop;

        public Worker()
        {
            var t = new Thread(Loop, 16 << 20) { IsBackground = true, Name = "fuzz worker" };
            t.Start();
        }

        public bool Start(Job job, TimeSpan limit)
        {
            _job = job;
            _go.Release();
            return _done.Wait(limit);
        }

        public void Stop() { _stop = true; _go.Release(); }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (_stop) return;
                _job!.Execute();
                _done.Release();
            }
        }
    }
}
