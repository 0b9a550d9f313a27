using System.Globalization;

namespace Simile.Reports;

/// <summary>
/// The one format of permutation p-values in tables, figure titles, text and the CLI: four decimals ("0.0312"), and
/// "≤ bound" when no permutation reached the observed value, where the bound is the floor 1/(N + 1) rounded UP to four
/// decimals (999 permutations: "≤ 0.0010"; 9,999: "≤ 0.0001"). Only a floor below 0.00005 (N ≥ 20,000) is written in
/// scientific notation, rounded up to two significant digits with a real minus ("≤ 1.0e−05"); so is an ordinary p that
/// small.
/// </summary>
public static class PValue
{
    /// <summary>"0.0312", "≤ 0.0001", or "–" without a test.</summary>
    public static string Value(double p, int permutations)
    {
        if (!double.IsFinite(p) || permutations <= 0) return "–";
        double floor = 1.0 / (permutations + 1);
        return p <= floor * 1.0000001 ? "≤ " + Bound(floor) : Number(p);
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
        p >= 0.00005 ? p.ToString("0.0000", CultureInfo.InvariantCulture) : Scientific(p);

    /// <summary>An upper bound, rounded up so that "≤" stays true.</summary>
    private static string Bound(double floor)
    {
        if (floor >= 0.00005) return (Math.Ceiling(floor * 1e4 - 1e-9) / 1e4).ToString("0.0000", CultureInfo.InvariantCulture);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(floor)) - 1);
        return Scientific(Math.Ceiling(floor / mag - 1e-9) * mag);
    }

    private static string Scientific(double p) =>
        p.ToString("0.0e+00", CultureInfo.InvariantCulture).Replace('-', NumberFormat.Minus);
}
