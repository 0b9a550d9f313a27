using Simile.Data;

namespace Simile.Comparison.Measures;

/// <summary>
/// kNN alignment measures. The platonic-rep set (Huh et al. 2024, minyoungg/platonic-rep metrics.py) finds neighbours
/// by the raw inner product of the rows as given; the ReSi set (Klabunde et al., mklabunde/resi) by cosine.
/// Neighbours never include the item itself; exact ties go to the lower item index.
/// </summary>
public static class KnnMeasures
{
    /// <summary>mean_i |N_X(i) ∩ N_Y(i)| / k.</summary>
    public static double MutualKnn(NeighbourLists a, NeighbourLists b)
    {
        double sum = 0;
        for (int i = 0; i < a.Items; i++) sum += Overlap(a.Of(i), b.Of(i));
        return sum / ((double)a.Items * a.K);
    }

    /// <summary>Fraction of items i that are among the X-neighbours of at least one of their Y-neighbours (asymmetric).</summary>
    public static double CycleKnn(NeighbourLists a, NeighbourLists b)
    {
        int hits = 0;
        for (int i = 0; i < a.Items; i++)
        {
            bool found = false;
            foreach (int j in b.Of(i))
            {
                if (a.Of(j).Contains(i)) { found = true; break; }
            }
            if (found) hits++;
        }
        return hits / (double)a.Items;
    }

    /// <summary>mean_i LCS(N_X(i), N_Y(i)) over the ordered lists (range 0..k, not divided by k).</summary>
    public static double LcsKnn(NeighbourLists a, NeighbourLists b)
    {
        int k = a.K;
        var dp = new int[(k + 1) * (k + 1)];
        double sum = 0;
        for (int i = 0; i < a.Items; i++)
        {
            var x = a.Of(i); var y = b.Of(i);
            for (int p = 1; p <= k; p++)
                for (int q = 1; q <= k; q++)
                    dp[p * (k + 1) + q] = x[p - 1] == y[q - 1]
                        ? dp[(p - 1) * (k + 1) + q - 1] + 1
                        : Math.Max(dp[(p - 1) * (k + 1) + q], dp[p * (k + 1) + q - 1]);
            sum += dp[k * (k + 1) + k];
        }
        return sum / a.Items;
    }

    /// <summary>1 − mean_i Levenshtein(N_X(i), N_Y(i)) / k over the ordered lists.</summary>
    public static double EditDistanceKnn(NeighbourLists a, NeighbourLists b)
    {
        int k = a.K;
        var prev = new int[k + 1];
        var cur = new int[k + 1];
        double sum = 0;
        for (int i = 0; i < a.Items; i++)
        {
            var x = a.Of(i); var y = b.Of(i);
            for (int q = 0; q <= k; q++) prev[q] = q;
            for (int p = 1; p <= k; p++)
            {
                cur[0] = p;
                for (int q = 1; q <= k; q++)
                    cur[q] = Math.Min(Math.Min(prev[q] + 1, cur[q - 1] + 1), prev[q - 1] + (x[p - 1] == y[q - 1] ? 0 : 1));
                (prev, cur) = (cur, prev);
            }
            sum += prev[k] / (double)k;
        }
        return 1.0 - sum / a.Items;
    }

    /// <summary>
    /// CKNNA (platonic-rep, distance_agnostic=False, unbiased=True): K = XXᵀ, L = YYᵀ; for (P,Q) the mask keeps entry
    /// (i,j) when j is among the top-k of row i of both P and Q (diagonal excluded); sim(P,Q) = HSIC_u(mask∘P, mask∘Q)
    /// with the peer's formula (second matrix transposed in the trace term); value = sim(K,L)/(sqrt(sim(K,K)·sim(L,L)) + 1e-6).
    /// Sparse: only the ≤ k kept entries per row are visited (O(n·k log k)).
    /// </summary>
    public static double Cknna(NeighbourLists a, NeighbourLists b)
    {
        if (a.K < 2)
            throw new SimileException("cknna needs k ≥ 2 neighbours", "give --k 2 or more (default 10)");
        if (a.Items < 4)
            throw new SimileException("cknna needs at least 4 items", "give at least 4 items");
        var sa = Sparse.FromLists(a);
        var sb = Sparse.FromLists(b);
        double kl = Hsic(Sparse.Masked(sa, sb, useFirstValues: true), Sparse.Masked(sa, sb, useFirstValues: false));
        double kk = Hsic(sa, sa);
        double ll = Hsic(sb, sb);
        return kl / (Math.Sqrt(kk * ll) + 1e-6);
    }

    /// <summary>HSIC_u of two sparse n×n matrices with the same pattern (diagonal zero).</summary>
    private static double Hsic(Sparse p, Sparse q)
    {
        int n = p.N;
        double trace = 0, sumP = 0, sumQ = 0;
        var colP = new double[n];
        var rowQ = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int e = p.Start[i]; e < p.Start[i + 1]; e++)
            {
                int j = p.Col[e];
                sumP += p.Val[e];
                colP[j] += p.Val[e];
                double qji = q.Get(j, i);
                if (qji != 0) trace += p.Val[e] * qji;
            }
            for (int e = q.Start[i]; e < q.Start[i + 1]; e++) { sumQ += q.Val[e]; rowQ[i] += q.Val[e]; }
        }
        double cross = 0;
        for (int i = 0; i < n; i++) cross += colP[i] * rowQ[i];
        double m = n;
        return (trace + sumP * sumQ / ((m - 1) * (m - 2)) - 2.0 * cross / (m - 2)) / (m * (m - 3));
    }

    /// <summary>Compressed rows with sorted columns.</summary>
    private sealed class Sparse
    {
        public required int N;
        public required int[] Start;
        public required int[] Col;
        public required double[] Val;

        public double Get(int i, int j)
        {
            int lo = Start[i], hi = Start[i + 1] - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (Col[mid] == j) return Val[mid];
                if (Col[mid] < j) lo = mid + 1; else hi = mid - 1;
            }
            return 0;
        }

        public bool Has(int i, int j)
        {
            int lo = Start[i], hi = Start[i + 1] - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (Col[mid] == j) return true;
                if (Col[mid] < j) lo = mid + 1; else hi = mid - 1;
            }
            return false;
        }

        public static Sparse FromLists(NeighbourLists l)
        {
            int n = l.Items, k = l.K;
            var start = new int[n + 1];
            var col = new int[n * k];
            var val = new double[n * k];
            var order = new int[k];
            for (int i = 0; i < n; i++)
            {
                start[i] = i * k;
                var idx = l.Of(i); var sc = l.ScoresOf(i);
                for (int t = 0; t < k; t++) order[t] = t;
                var keys = idx.ToArray();
                Array.Sort(keys, order);
                for (int t = 0; t < k; t++) { col[i * k + t] = keys[t]; val[i * k + t] = sc[order[t]]; }
            }
            start[n] = n * k;
            return new Sparse { N = n, Start = start, Col = col, Val = val };
        }

        /// <summary>The entries present in both patterns, with the values of the first (or second) matrix.</summary>
        public static Sparse Masked(Sparse p, Sparse q, bool useFirstValues)
        {
            int n = p.N;
            var start = new int[n + 1];
            var col = new List<int>(p.Col.Length);
            var val = new List<double>(p.Col.Length);
            for (int i = 0; i < n; i++)
            {
                start[i] = col.Count;
                for (int e = p.Start[i]; e < p.Start[i + 1]; e++)
                {
                    int j = p.Col[e];
                    if (!q.Has(i, j)) continue;
                    col.Add(j);
                    val.Add(useFirstValues ? p.Val[e] : q.Get(i, j));
                }
            }
            start[n] = col.Count;
            return new Sparse { N = n, Start = start, Col = col.ToArray(), Val = val.ToArray() };
        }
    }

    /// <summary>ReSi JaccardSimilarity: mean_i |A_i ∩ B_i| / |A_i ∪ B_i| with cosine neighbours.</summary>
    public static double Jaccard(NeighbourLists a, NeighbourLists b)
    {
        double sum = 0;
        for (int i = 0; i < a.Items; i++)
        {
            int m = Overlap(a.Of(i), b.Of(i));
            sum += m / (double)(2 * a.K - m);
        }
        return sum / a.Items;
    }

    /// <summary>ReSi RankSimilarity: shared neighbours weighted by 2/((1+|r_A−r_B|)(r_A+r_B)), normalised by Σ_{r≤|J|} 1/r.</summary>
    public static double RankSimilarity(NeighbourLists a, NeighbourLists b)
    {
        double sum = 0;
        int k = a.K;
        for (int i = 0; i < a.Items; i++)
        {
            var x = a.Of(i); var y = b.Of(i);
            double s = 0; int shared = 0;
            for (int p = 0; p < k; p++)
            {
                int q = y.IndexOf(x[p]);
                if (q < 0) continue;
                shared++;
                int ra = p + 1, rb = q + 1;
                s += 2.0 / ((1 + Math.Abs(ra - rb)) * (double)(ra + rb));
            }
            if (shared == 0) continue;
            double norm = 0;
            for (int r = 1; r <= shared; r++) norm += 1.0 / r;
            sum += s / norm;
        }
        return sum / a.Items;
    }

    /// <summary>
    /// ReSi SecondOrderCosineSimilarity: for U_i = A_i ∪ B_i, the cosine between the vectors of cosine distances
    /// (1 − cos) from i to U_i in X and in Y; mean over i. <paramref name="ux"/>, <paramref name="uy"/> are the unit-row matrices.
    /// </summary>
    public static double SecondOrderCosine(NeighbourLists a, NeighbourLists b, Matrix ux, Matrix uy)
    {
        double sum = 0;
        var union = new List<int>(2 * a.K);
        for (int i = 0; i < a.Items; i++)
        {
            union.Clear();
            foreach (int j in a.Of(i)) union.Add(j);
            foreach (int j in b.Of(i)) if (!a.Of(i).Contains(j)) union.Add(j);
            double dot = 0, na = 0, nb = 0;
            foreach (int j in union)
            {
                double da = CosineDistance(ux, i, j), db = CosineDistance(uy, i, j);
                dot += da * db; na += da * da; nb += db * db;
            }
            sum += dot / (Math.Sqrt(na) * Math.Sqrt(nb));
        }
        return sum / a.Items;
    }

    private static double CosineDistance(Matrix unit, int i, int j)
    {
        double c = System.Numerics.Tensors.TensorPrimitives.Dot(unit.RowReadOnly(i), unit.RowReadOnly(j));
        return Math.Clamp(1.0 - c, 0.0, 2.0);
    }

    private static int Overlap(ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        int m = 0;
        foreach (int v in x) if (y.Contains(v)) m++;
        return m;
    }
}
