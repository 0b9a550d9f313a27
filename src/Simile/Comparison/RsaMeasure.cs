namespace Simile.Comparison;

/// <summary>Second-order measures between two condensed (dis)similarity vectors, rsatoolbox definitions.</summary>
public enum RsaMeasure { Pearson, Spearman, KendallTauB, TauA, RhoA, Cosine }

public static class RsaMeasures
{
    /// <summary>JSON/CLI names: pearson, spearman, kendall_tau_b, tau_a, rho_a, cosine.</summary>
    public static readonly IReadOnlyList<string> Names = ["pearson", "spearman", "kendall_tau_b", "tau_a", "rho_a", "cosine"];

    public static string Name(this RsaMeasure m) => Names[(int)m];

    public static RsaMeasure Parse(string name)
    {
        int i = Names.ToList().IndexOf(name.Trim().ToLowerInvariant());
        if (i < 0) throw new SimileException($"unknown RSA measure '{name}'", $"use one of {string.Join(", ", Names)}");
        return (RsaMeasure)i;
    }

    public static double Compute(RsaMeasure m, ReadOnlySpan<double> a, ReadOnlySpan<double> b) => m switch
    {
        RsaMeasure.Pearson => Pearson(a, b),
        RsaMeasure.Spearman => Spearman(a, b),
        RsaMeasure.KendallTauB => KendallTauB(a, b),
        RsaMeasure.TauA => TauA(a, b),
        RsaMeasure.RhoA => RhoA(a, b),
        RsaMeasure.Cosine => Cosine(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>Pearson r (cosine of mean-centred vectors).</summary>
    public static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
    /// <summary>Pearson of average ranks (scipy rankdata 'average').</summary>
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
    /// <summary>Kendall tau-b (scipy kendalltau), O(m log m).</summary>
    public static double KendallTauB(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
    /// <summary>Kendall tau-a: (concordant − discordant)/(m(m−1)/2), no tie correction.</summary>
    public static double TauA(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
    /// <summary>rho-a: 12·r1c·r2c/(m³−m) on centred average ranks.</summary>
    public static double RhoA(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
    /// <summary>Uncentred cosine a·b/(|a||b|).</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => throw new NotImplementedException();
}
