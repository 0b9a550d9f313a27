using System.Globalization;

namespace Simile.Reports;

/// <summary>
/// The one format of permutation p-values in tables, figure titles and text: four decimals ("0.0312"), scientific below
/// 0.0001 ("3.2e−05"), and "≤ floor" when no permutation reached the observed value, floor = 1/(N + 1).
/// </summary>
public static class PValue
{
    /// <summary>"0.0312", "≤ 0.0001", or "–" without a test.</summary>
    public static string Value(double p, int permutations)
    {
        if (!double.IsFinite(p) || permutations <= 0) return "–";
        double floor = 1.0 / (permutations + 1);
        return p <= floor * 1.0000001 ? "≤ " + Number(floor) : Number(p);
    }

    /// <summary>"p = 0.0312" or "p ≤ 0.0001".</summary>
    public static string Text(double p, int permutations)
    {
        string v = Value(p, permutations);
        return v == "–" ? "p –" : "p " + Relation(p, permutations);
    }

    /// <summary>"= 0.0312" or "≤ 0.0001" (running text after "p"), or "–" without a test.</summary>
    public static string Relation(double p, int permutations)
    {
        string v = Value(p, permutations);
        return v == "–" || v.StartsWith('≤') ? v : "= " + v;
    }

    private static string Number(double p) =>
        p >= 0.0001 ? p.ToString("0.0000", CultureInfo.InvariantCulture)
                    : p.ToString("0.0e+00", CultureInfo.InvariantCulture).Replace('-', NumberFormat.Minus);
}
