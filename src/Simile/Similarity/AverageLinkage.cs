namespace Simile.Similarity;

/// <summary>
/// Agglomerative clustering with average linkage (UPGMA) on a condensed dissimilarity matrix, and the leaf order of its
/// dendrogram, defined as scipy defines them: <c>scipy.cluster.hierarchy.linkage(d, method="average")</c> and
/// <c>leaves_list</c>. The distance between clusters u and v is the mean of d(i, j) over i ∈ u, j ∈ v. Merges are
/// listed by increasing height; cluster ids are 0..n−1 for the items and n + k for the cluster formed by merge k; each
/// merge lists its smaller id first; the leaf order visits the tree depth first, first child before second.
/// Ties between equal distances are broken by the lower pair of cluster ids, which can differ from scipy's nearest-
/// neighbour chain on tied inputs (the heights and the clusters agree; the leaf order may not).
/// </summary>
public static class AverageLinkage
{
    /// <summary>One merge: the two clusters joined (smaller id first), the height (average distance) and the new cluster's size.</summary>
    public readonly record struct Merge(int First, int Second, double Height, int Size);

    /// <summary>The n − 1 merges in scipy's linkage-matrix order. O(n³) time, O(n²) memory: meant for word lists (hundreds of items).</summary>
    public static Merge[] Link(ReadOnlySpan<double> condensed, int n)
    {
        if (condensed.Length != CondensedIndex.Length(n)) throw new ArgumentException($"{condensed.Length} distances for {n} items");
        if (n < 2) return [];
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double v = condensed[(int)CondensedIndex.Of(n, i, j)];
                if (!double.IsFinite(v)) throw new ArgumentException("distances must be finite");
                d[i, j] = d[j, i] = v;
            }
        var active = Enumerable.Range(0, n).ToList();           // slots still clusters
        var size = Enumerable.Repeat(1, n).ToArray();
        var id = Enumerable.Range(0, n).ToArray();              // cluster id held by each slot
        var merges = new List<(int A, int B, double H, int Size)>(n - 1);
        for (int step = 0; step < n - 1; step++)
        {
            int ba = -1, bb = -1;
            double best = double.PositiveInfinity;
            foreach (int a in active)
                foreach (int b in active)
                {
                    if (b <= a) continue;
                    double v = d[a, b];
                    if (v < best || (v == best && (Math.Min(id[a], id[b]), Math.Max(id[a], id[b])).CompareTo((Math.Min(id[ba], id[bb]), Math.Max(id[ba], id[bb]))) < 0))
                    { best = v; ba = a; bb = b; }
                }
            merges.Add((id[ba], id[bb], best, size[ba] + size[bb]));
            // Lance–Williams for average linkage: d(u∪v, w) = (|u| d(u, w) + |v| d(v, w)) / (|u| + |v|).
            foreach (int w in active)
            {
                if (w == ba || w == bb) continue;
                double nv = (size[ba] * d[ba, w] + size[bb] * d[bb, w]) / (size[ba] + size[bb]);
                d[ba, w] = d[w, ba] = nv;
            }
            size[ba] += size[bb];
            id[ba] = -1 - step;                                 // provisional id of merge `step`, relabelled below
            active.Remove(bb);
        }
        // scipy sorts the merges by height (stable) and then numbers the new clusters n + k in that order.
        var order = Enumerable.Range(0, merges.Count).OrderBy(k => merges[k].H).ThenBy(k => k).ToArray();
        var newId = new int[merges.Count];
        for (int k = 0; k < order.Length; k++) newId[order[k]] = n + k;
        int Final(int x) => x >= 0 ? x : newId[-1 - x];
        return order.Select(k =>
        {
            int a = Final(merges[k].A), b = Final(merges[k].B);
            return new Merge(Math.Min(a, b), Math.Max(a, b), merges[k].H, merges[k].Size);
        }).ToArray();
    }

    /// <summary>The items in dendrogram leaf order (scipy's <c>leaves_list</c>).</summary>
    public static int[] Leaves(IReadOnlyList<Merge> merges, int n)
    {
        if (n == 1) return [0];
        var leaves = new List<int>(n);
        var stack = new Stack<int>();
        stack.Push(n + merges.Count - 1);
        while (stack.Count > 0)
        {
            int c = stack.Pop();
            if (c < n) { leaves.Add(c); continue; }
            var m = merges[c - n];
            stack.Push(m.Second);
            stack.Push(m.First);
        }
        return leaves.ToArray();
    }

    /// <summary>Leaf order of the average-linkage dendrogram of the condensed distances.</summary>
    public static int[] Order(ReadOnlySpan<double> condensed, int n) => Leaves(Link(condensed, n), n);
}
