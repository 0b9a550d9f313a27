using System.Globalization;

namespace Simile.Reports;

/// <summary>
/// The one number formatter of reports, figures and the CLI tables: a fixed .NET format (three decimals by default,
/// invariant culture), a placeholder for NaN/±Inf, and a real minus sign (U+2212) in typeset text (figures, HTML) or
/// the ASCII '-' in terminal tables that scripts may parse. P-values have their own rules in <see cref="PValue"/>.
/// </summary>
public static class NumberFormat
{
    /// <summary>The typographic minus of figures and HTML.</summary>
    public const char Minus = '\u2212';

    /// <summary>Typeset text: "0.844", "−0.120", "–" when not finite.</summary>
    public static string Typeset(double v, string format = "0.000") => Fixed(v, format, "–", typographicMinus: true);

    /// <summary><paramref name="v"/> in <paramref name="format"/>, or <paramref name="missing"/> when it is not finite.</summary>
    public static string Fixed(double v, string format = "0.000", string missing = "–", bool typographicMinus = false)
    {
        if (!double.IsFinite(v)) return missing;
        string s = v.ToString(format, CultureInfo.InvariantCulture);
        return typographicMinus ? s.Replace('-', Minus) : s;
    }
}
