using Simile.Data;

namespace Simile.Comparison;

public static class DirectCorrelation
{
    /// <summary>Throws <see cref="SimileException"/> when the widths differ (the correlation is undefined then).</summary>
    public static DirectCorrelationResult Compute(Matrix x, Matrix y)
    {
        MatrixChecks.SameItems(x, y, "direct correlation");
        if (x.Cols != y.Cols)
            throw new SimileException(
                $"direct correlation needs vectors of the same width, got {x.Cols} and {y.Cols} features",
                "compare two representations of the same width (or use RSA, CKA or Procrustes, which do not need it)");
        var r = new double[x.Rows];
        double sum = 0;
        int defined = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            r[i] = x.Cols < 2 ? double.NaN : RsaMeasures.PearsonUnchecked(x.RowReadOnly(i), y.RowReadOnly(i));
            if (!double.IsNaN(r[i])) { sum += r[i]; defined++; }
        }
        return new DirectCorrelationResult(defined == 0 ? double.NaN : sum / defined, r);
    }
}
