using Simile.Data;

namespace Simile.Analyses.Layers;

/// <summary>
/// Anisotropy: the mean cosine similarity over all pairs of distinct words. Contextual models' vectors share a
/// common direction, so even unrelated words have a high cosine (Ethayarajh 2019); 0 would be isotropic.
/// </summary>
public static class Anisotropy
{
    /// <summary>
    /// Mean over i &lt; j of cos(x_i, x_j), computed in O(n·d) as (‖Σ x̂_i‖² − Σ‖x̂_i‖²)/(n(n−1)) with x̂ the unit rows.
    /// </summary>
    public static double MeanPairwiseCosine(Matrix x, IReadOnlyList<string>? words = null, string? where = null)
    {
        if (x.Rows < 2) return double.NaN;
        var u = LayerMath.UnitRows(x, words, where);
        var sum = new double[u.Cols];
        double self = 0;
        for (int i = 0; i < u.Rows; i++)
        {
            var row = u.RowReadOnly(i);
            System.Numerics.Tensors.TensorPrimitives.Add(sum, row, sum);
            self += LayerMath.Dot(row, row);
        }
        double total = LayerMath.Dot(sum, sum);
        return (total - self) / ((double)u.Rows * (u.Rows - 1));
    }

    /// <summary>One value per representation of the stack.</summary>
    public static double[] PerRepresentation(RepresentationStack stack)
        => stack.Sets.Select((s, r) => MeanPairwiseCosine(s.Vectors, stack.Words, $"{stack.Model} representation {stack.Labels[r]}")).ToArray();
}
