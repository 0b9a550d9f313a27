using System.Numerics.Tensors;

namespace Simile.Data;

/// <summary>
/// The row and column helpers every stage shares (one definition each): column centring and squared row norms.
/// </summary>
public static class MatrixRows
{
    /// <summary>A copy with each column's mean subtracted (n×d; the input is not modified).</summary>
    public static Matrix CentreColumns(Matrix x)
    {
        var c = x.Clone();
        var mean = ColumnMeans(x);
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Subtract(c.Row(i), mean, c.Row(i));
        return c;
    }

    /// <summary>The column means (length d).</summary>
    public static double[] ColumnMeans(Matrix x)
    {
        var mean = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Add(mean, x.RowReadOnly(i), mean);
        if (x.Rows > 0) TensorPrimitives.Divide(mean, x.Rows, mean);
        return mean;
    }

    /// <summary>|xᵢ|² for every row.</summary>
    public static double[] SquaredNorms(Matrix x)
    {
        var k = new double[x.Rows];
        for (int i = 0; i < x.Rows; i++) k[i] = TensorPrimitives.Dot(x.RowReadOnly(i), x.RowReadOnly(i));
        return k;
    }
}
