using System.Runtime.ExceptionServices;

namespace Simile.Engine;

/// <summary>
/// The parallel loop of the kernels (GEMM tiles, B packing, quantisation, the gated activation): body(i) for every i in
/// [0, count), on the calling thread and up to threads − 1 workers, which take runs of indices from a shared counter
/// (one index at a time for a few large items such as GEMM tiles, runs of about count / (16 · threads) for many small
/// ones such as rows to unpack, so that the counter is not contended). The
/// workers are threads of their own, started at first use and kept (blocked when idle), so a call allocates nothing
/// but the caller's delegate. <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> allocates about 8 KB
/// of bookkeeping per call, and a forward pass makes thousands of calls: that garbage was a fifth of the pass's memory
/// beyond its buffers.
/// One loop runs on the workers at a time; a call made meanwhile (from another thread, or from inside a body) runs
/// through <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> instead. An exception in a body stops
/// the handing out of indices and is rethrown to the caller once every running body has returned.
/// </summary>
public static class KernelLoop
{
    private static int _busy;                                   // 1 while a loop owns the workers
    private static readonly object Start = new();
    private static SemaphoreSlim[] _wake = [];                  // one per worker
    private static readonly ManualResetEventSlim AllDone = new(false);

    // The loop being run (written by the owner before it wakes the workers).
    private static Action<int>? _body;
    private static int _count, _grain, _next, _running;
    private static Exception? _error;

    /// <summary>Runs body(0) … body(count − 1) on up to <paramref name="threads"/> threads (this one included).</summary>
    public static void For(int count, int threads, Action<int> body)
    {
        if (count <= 0) return;
        int helpers = Math.Min(Math.Min(threads, count) - 1, MaxWorkers);
        if (helpers <= 0)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
            return;
        }
        try
        {
            EnsureWorkers(helpers);
            _body = body; _count = count; _next = 0; _error = null;
            _grain = Math.Max(1, count / (16 * (helpers + 1)));
            _running = helpers;
            AllDone.Reset();
            for (int w = 0; w < helpers; w++) _wake[w].Release();
            Work();
            AllDone.Wait();
            if (_error is { } e) ExceptionDispatchInfo.Throw(e);
        }
        finally
        {
            _body = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>At most this many worker threads (beyond the caller) are ever started.</summary>
    public const int MaxWorkers = 63;

    private static void Work()
    {
        var body = _body!;
        int count = _count, grain = _grain, start;
        while ((start = Interlocked.Add(ref _next, grain) - grain) < count)
        {
            try
            {
                for (int i = start, end = Math.Min(count, start + grain); i < end; i++) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
                Volatile.Write(ref _next, count);               // hand out no more indices
            }
        }
    }

    private static void EnsureWorkers(int n)
    {
        if (_wake.Length >= n) return;
        lock (Start)
        {
            var wake = _wake;
            if (wake.Length >= n) return;
            var grown = new SemaphoreSlim[n];
            Array.Copy(wake, grown, wake.Length);
            for (int w = wake.Length; w < n; w++)
            {
                var signal = grown[w] = new SemaphoreSlim(0);
                new Thread(() => WorkerLoop(signal)) { IsBackground = true, Name = $"Simile kernel worker {w + 1}" }.Start();
            }
            _wake = grown;
        }
    }

    private static void WorkerLoop(SemaphoreSlim wake)
    {
        while (true)
        {
            wake.Wait();
            Work();
            if (Interlocked.Decrement(ref _running) == 0) AllDone.Set();
        }
    }
}
