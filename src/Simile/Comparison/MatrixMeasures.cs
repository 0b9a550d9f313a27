using Simile.Data;

namespace Simile.Comparison;

/// <summary>Linear CKA (Kornblith 2019) and debiased linear CKA (unbiased HSIC, Song et al. 2012) on the raw n×d matrices.</summary>
public static class Cka
{
    public static double Linear(Matrix x, Matrix y) => throw new NotImplementedException();
    public static double LinearDebiased(Matrix x, Matrix y) => throw new NotImplementedException();
}

/// <summary>Procrustes shape distances (netrep LinearMetric alpha=1): centre columns, zero-pad the narrower matrix.</summary>
public static class Procrustes
{
    /// <summary>arccos(‖XcᵀYc‖_* / (‖Xc‖_F ‖Yc‖_F)) in radians, in [0, π/2].</summary>
    public static double AngularDistance(Matrix x, Matrix y) => throw new NotImplementedException();
    /// <summary>min_Q ‖XcQ − Yc‖_F = sqrt(‖Xc‖² + ‖Yc‖² − 2‖XcᵀYc‖_*), unnormalised.</summary>
    public static double EuclideanDistance(Matrix x, Matrix y) => throw new NotImplementedException();
}

/// <summary>Per-item Pearson correlation between the two models' vectors of the same item (needs equal widths).</summary>
public sealed record DirectCorrelationResult(double Mean, double[] PerItem);

public static class DirectCorrelation
{
    /// <summary>Throws <see cref="SimileException"/> when the widths differ (the correlation is undefined then).</summary>
    public static DirectCorrelationResult Compute(Matrix x, Matrix y) => throw new NotImplementedException();
}
