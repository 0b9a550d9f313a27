namespace Simile.Comparison.Measures;

/// <summary>
/// Maximum-weight assignment on a dense p×q matrix (the linear_sum_assignment problem with maximize=True):
/// min(p, q) pairs (row, column), each row and column used at most once, maximising the sum. Hungarian algorithm
/// with potentials (Kuhn–Munkres, Jonker–Volgenant style shortest augmenting paths), O(r²·c), float64.
/// Only the optimal sum is used by the measures, so the choice among equally good matchings does not matter.
/// </summary>
public static class Assignment
{
    /// <summary>Returns the matched column of each row (−1 for rows left unmatched when p &gt; q).</summary>
    public static int[] Maximize(double[] w, int p, int q)
    {
        bool transpose = p > q;
        int r = transpose ? q : p, c = transpose ? p : q; // r ≤ c
        double Cost(int i, int j) => -(transpose ? w[j * q + i] : w[i * q + j]);
        // 1-based arrays as in the classic formulation.
        var u = new double[r + 1];
        var v = new double[c + 1];
        var match = new int[c + 1];   // match[j] = row matched to column j (0 = none)
        var way = new int[c + 1];
        var minv = new double[c + 1];
        var used = new bool[c + 1];
        for (int i = 1; i <= r; i++)
        {
            match[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                int i0 = match[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= c; j++)
                {
                    if (used[j]) continue;
                    double cur = Cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= c; j++)
                {
                    if (used[j]) { u[match[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (match[j0] != 0);
            do
            {
                int j1 = way[j0];
                match[j0] = match[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var result = new int[p];
        Array.Fill(result, -1);
        for (int j = 1; j <= c; j++)
        {
            if (match[j] == 0) continue;
            if (transpose) result[j - 1] = match[j] - 1;   // row j-1 of the original ↔ column match-1
            else result[match[j] - 1] = j - 1;
        }
        return result;
    }

    /// <summary>The sum of w over the maximum-weight assignment.</summary>
    public static double MaximumSum(double[] w, int p, int q)
    {
        var m = Maximize(w, p, q);
        double s = 0;
        for (int i = 0; i < p; i++) if (m[i] >= 0) s += w[i * q + m[i]];
        return s;
    }
}
