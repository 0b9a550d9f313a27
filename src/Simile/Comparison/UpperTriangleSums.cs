namespace Simile.Comparison;

/// <summary>
/// The sums over the upper triangle (i &lt; j) that Pearson and the uncentred cosine between two condensed
/// dissimilarity vectors need, computed in feature space without any n×n matrix.
/// </summary>
/// <param name="Pairs">m = n(n−1)/2.</param>
/// <param name="SumA">Σ a_ij over i&lt;j (a = model A's dissimilarity).</param>
/// <param name="SumB">Σ b_ij.</param>
/// <param name="SumAA">Σ a_ij².</param>
/// <param name="SumBB">Σ b_ij².</param>
/// <param name="SumAB">Σ a_ij b_ij.</param>
public sealed record UpperTriangleSums(long Pairs, double SumA, double SumB, double SumAA, double SumBB, double SumAB)
{
    /// <summary>Pearson r of the two condensed vectors (rsatoolbox 'corr', scipy pearsonr).</summary>
    public double Pearson
    {
        get
        {
            double m = Pairs;
            double cov = SumAB - SumA * SumB / m;
            double va = SumAA - SumA * SumA / m, vb = SumBB - SumB * SumB / m;
            return cov / Math.Sqrt(va * vb);
        }
    }

    /// <summary>Uncentred cosine a·b/(|a||b|) of the dissimilarity vectors (rsatoolbox 'cosine').</summary>
    public double Cosine => SumAB / Math.Sqrt(SumAA * SumBB);
}
