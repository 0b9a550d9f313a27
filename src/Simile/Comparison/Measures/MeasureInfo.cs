namespace Simile.Comparison.Measures;

/// <summary>One registered measure.</summary>
/// <param name="Name">Canonical name (CLI, JSON key).</param>
/// <param name="Family">Group for listing (rsa, kernel, knn, cca, shape, resi, direct).</param>
/// <param name="Parameters">The options it reads, with defaults.</param>
/// <param name="Invariances">At the default parameters (see <paramref name="Divergences"/> for parameter-dependent ones).</param>
/// <param name="IdentityValue">f(X, X), or null where it is not a constant (cycle_knn).</param>
/// <param name="Symmetric">f(X, Y) = f(Y, X) (up to rounding).</param>
/// <param name="Scale">Cost and the item limit, if any.</param>
/// <param name="MaxItems">Largest n it accepts (int.MaxValue when only memory for the inputs limits it).</param>
/// <param name="Reference">Paper and the peer implementation whose numbers it reproduces.</param>
/// <param name="Divergences">Where peers that use the same name compute something else.</param>
public sealed record MeasureInfo(
    string Name,
    string Family,
    string Parameters,
    MeasureDirection Direction,
    Invariance Invariances,
    double? IdentityValue,
    bool Symmetric,
    string Scale,
    int MaxItems,
    string Reference,
    string Divergences,
    Func<MeasureInputs, double> Compute);
