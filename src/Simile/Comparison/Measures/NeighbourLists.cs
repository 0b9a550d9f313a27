namespace Simile.Comparison.Measures;

/// <summary>
/// The k nearest neighbours of every item, by inner product (platonic-rep) or cosine (ReSi), with the item itself
/// excluded and exact ties broken by the lower item index. <see cref="Index"/> and <see cref="Score"/> are n×k,
/// row-major, nearest first; Score holds the inner product (or cosine) of item i with its neighbour.
/// </summary>
public sealed record NeighbourLists(int Items, int K, int[] Index, double[] Score)
{
    public ReadOnlySpan<int> Of(int i) => Index.AsSpan(i * K, K);
    public ReadOnlySpan<double> ScoresOf(int i) => Score.AsSpan(i * K, K);
}
