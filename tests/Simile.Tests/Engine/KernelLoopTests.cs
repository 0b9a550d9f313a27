using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary><see cref="KernelLoop.For"/>: every index exactly once, whatever the thread count, nesting, concurrent
/// callers or a throwing body; and no per-call garbage beyond the caller's delegate.</summary>
public class KernelLoopTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1000, 1)]
    [InlineData(1000, 2)]
    [InlineData(1000, 8)]
    [InlineData(3, 64)]
    [InlineData(100_000, 3)]
    public void EveryIndexRunsOnce(int count, int threads)
    {
        var hits = new int[count];
        for (int rep = 0; rep < 5; rep++)
        {
            Array.Clear(hits);
            KernelLoop.For(count, threads, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void UsesMoreThanOneThreadWhenAsked()
    {
        var ids = new HashSet<int>();
        // each body waits for a second thread to arrive, so two must run at once (bounded wait: no hang if not)
        using var barrier = new Barrier(2);
        bool met = false;
        KernelLoop.For(2, 2, _ =>
        {
            lock (ids) ids.Add(Environment.CurrentManagedThreadId);
            met |= barrier.SignalAndWait(TimeSpan.FromSeconds(20));
        });
        Assert.True(met);
        Assert.Equal(2, ids.Count);
    }

    [Fact]
    public void NestedLoopsRunEveryIndex()
    {
        var hits = new int[50 * 40];
        KernelLoop.For(50, 2, i => KernelLoop.For(40, 2, j => Interlocked.Increment(ref hits[i * 40 + j])));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void ConcurrentCallersEachGetEveryIndex()
    {
        var results = new int[8][];
        Parallel.For(0, 8, c =>
        {
            var hits = new int[20_000];
            for (int rep = 0; rep < 20; rep++) KernelLoop.For(hits.Length, 2, i => Interlocked.Increment(ref hits[i]));
            results[c] = hits;
        });
        Assert.All(results, hits => Assert.All(hits, h => Assert.Equal(20, h)));
    }

    [Fact]
    public void AnExceptionReachesTheCallerAndTheLoopStaysUsable()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            KernelLoop.For(10_000, 2, i => { if (i == 777) throw new InvalidOperationException("body 777"); }));
        Assert.Equal("body 777", e.Message);
        var hits = new int[10_000];
        KernelLoop.For(hits.Length, 2, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }
}

/// <summary>Runs alone: another test's kernels holding the workers would send these calls through Parallel.For.</summary>
[Collection("KernelLoop allocation")]
public class KernelLoopAllocationTests
{
    [Fact]
    public void ACallAllocatesOnlyTheDelegate()
    {
        var hits = new int[64];
        Action<int> body = i => hits[i]++;
        KernelLoop.For(hits.Length, 2, body);                   // workers started
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int rep = 0; rep < 1000; rep++) KernelLoop.For(hits.Length, 2, body);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        // Parallel.For allocates kilobytes per call on the calling thread; this loop nothing. (This class runs alone, so
        // no other test holds the workers and sends these calls through Parallel.For.)
        Assert.True(perCall < 64, $"{perCall} bytes per call");
    }
}

[CollectionDefinition("KernelLoop allocation", DisableParallelization = true)]
public class KernelLoopAllocationCollection;
