using System.Globalization;
using Simile.Data;
using Simile.Engine;

namespace Simile.Analyses.Layers;

/// <summary>What is done to a representation's vectors (per feature, over the words) before similarities are taken.</summary>
public enum NormalizationKind
{
    /// <summary>The vectors as the model gives them.</summary>
    None,
    /// <summary>Subtract each feature's mean over the words.</summary>
    Center,
    /// <summary>Centre, then divide each feature by its standard deviation over the words (ddof 0; a constant feature stays 0).</summary>
    ZScore,
    /// <summary>Centre, then remove the top K principal components ("all-but-the-top", Mu &amp; Viswanath 2018).</summary>
    RemovePcs,
}

/// <summary>A normalisation applied to each representation before similarity: none | center | zscore | remove-pcs:K.</summary>
public sealed record Normalization(NormalizationKind Kind, int Components = 0)
{
    public static Normalization None { get; } = new(NormalizationKind.None);

    public static Normalization Parse(string? text)
    {
        string t = (text ?? "none").Trim().ToLowerInvariant();
        if (t is "" or "none") return None;
        if (t == "center" || t == "centre") return new(NormalizationKind.Center);
        if (t == "zscore" || t == "z-score") return new(NormalizationKind.ZScore);
        if (t.StartsWith("remove-pcs", StringComparison.Ordinal))
        {
            string k = t["remove-pcs".Length..].TrimStart(':', '=');
            if (int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out int kk) && kk >= 1)
                return new(NormalizationKind.RemovePcs, kk);
            throw new SimileException($"--normalize '{text}' needs a positive number of components", "write e.g. --normalize remove-pcs:3");
        }
        throw new SimileException($"unknown normalisation '{text}'", "use none, center, zscore or remove-pcs:K");
    }

    public override string ToString() => Kind switch
    {
        NormalizationKind.None => "none",
        NormalizationKind.Center => "center",
        NormalizationKind.ZScore => "zscore",
        _ => $"remove-pcs:{Components}",
    };

    /// <summary>A new n×d matrix; <paramref name="x"/> is not modified.</summary>
    public Matrix Apply(Matrix x)
    {
        if (Kind == NormalizationKind.None) return x.Clone();
        int n = x.Rows, d = x.Cols;
        var c = Center(x);
        if (Kind == NormalizationKind.Center) return c;
        if (Kind == NormalizationKind.ZScore)
        {
            var sd = new double[d];
            for (int i = 0; i < n; i++) { var row = c.RowReadOnly(i); for (int f = 0; f < d; f++) sd[f] += row[f] * row[f]; }
            for (int f = 0; f < d; f++) sd[f] = Math.Sqrt(sd[f] / n);
            for (int i = 0; i < n; i++) { var row = c.Row(i); for (int f = 0; f < d; f++) row[f] = sd[f] > 0 ? row[f] / sd[f] : 0.0; }
            return c;
        }
        return RemoveTopComponents(c, Components);
    }

    /// <summary>Column means subtracted (n×d).</summary>
    public static Matrix Center(Matrix x) => MatrixRows.CentreColumns(x);

    /// <summary>
    /// Projects the top <paramref name="k"/> principal directions out of the centred matrix <paramref name="c"/> (n×d).
    /// With d ≤ n the directions are the top eigenvectors V (d×k) of CᵀC and the result is C − (CV)Vᵀ; with n &lt; d
    /// the same projection is computed from the Gram matrix: the top eigenvectors U (n×k) of CCᵀ give C − U(UᵀC).
    /// </summary>
    internal static Matrix RemoveTopComponents(Matrix c, int k)
    {
        int n = c.Rows, d = c.Cols;
        int rank = Math.Min(n - 1, d);
        if (k >= rank)
            throw new SimileException($"--normalize remove-pcs:{k} removes {k} components but the {n} words × {d} features leave at most {rank}",
                $"use fewer components (at most {Math.Max(1, rank - 1)}) or more words");
        var result = c.Clone();
        if (d <= n)
        {
            var cov = new double[(long)d * d]; // d×d = CᵀC
            Gemm.Multiply(c.Values, c.Values, cov, d, d, n, transposeA: true, transposeB: false);
            var eig = SymmetricEigen.Decompose(cov, d);
            var v = new double[(long)d * k]; // d×k, top k (values ascending → take the last k)
            for (int f = 0; f < d; f++)
                for (int j = 0; j < k; j++) v[f * k + j] = eig.Vector(f, d - 1 - j);
            var cv = new double[(long)n * k]; // n×k
            Gemm.Multiply(c.Values, v, cv, n, k, d);
            // result = C − (CV)Vᵀ
            Gemm.Multiply(cv, v, result.Values, n, d, k, transposeA: false, transposeB: true, beta: 0.0);
            for (long i = 0; i < result.Values.LongLength; i++) result.Values[i] = c.Values[i] - result.Values[i];
        }
        else
        {
            var gram = new double[(long)n * n]; // n×n = CCᵀ
            Gemm.Multiply(c.Values, c.Values, gram, n, n, d, transposeA: false, transposeB: true);
            var eig = SymmetricEigen.Decompose(gram, n);
            var u = new double[(long)n * k]; // n×k
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++) u[i * k + j] = eig.Vector(i, n - 1 - j);
            var utc = new double[(long)k * d]; // k×d = UᵀC
            Gemm.Multiply(u, c.Values, utc, k, d, n, transposeA: true, transposeB: false);
            Gemm.Multiply(u, utc, result.Values, n, d, k);
            for (long i = 0; i < result.Values.LongLength; i++) result.Values[i] = c.Values[i] - result.Values[i];
        }
        return result;
    }
}
