namespace Simile.Tests;

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, one report at a time
/// (<see cref="Progress{T}"/> posts to the thread pool, so reports could arrive late or out of order).</summary>
internal sealed class SyncProgress(Action<double> report) : IProgress<double>
{
    private readonly object _gate = new();
    public void Report(double value) { lock (_gate) report(value); }
}
