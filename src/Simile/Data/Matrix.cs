namespace Simile.Data;

/// <summary>
/// A dense row-major matrix of float64: rows are items (words), columns are features. Model weights and
/// activations stay float32 inside the engine; a word's vectors become a <see cref="Matrix"/> for analysis so
/// that sums over n² pairs and reference comparisons (1e-9) are exact to double round-off. The storage is a
/// plain array so spans over rows go to TensorPrimitives and the GEMM kernel without copying.
/// </summary>
public sealed class Matrix
{
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Row-major values, length Rows*Cols.</summary>
    public double[] Values { get; }

    public Matrix(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows));
        Rows = rows; Cols = cols;
        Values = new double[checked((long)rows * cols)];
    }

    public Matrix(int rows, int cols, double[] values)
    {
        if ((long)rows * cols != values.LongLength)
            throw new ArgumentException($"values has {values.LongLength} elements, expected {rows}x{cols}");
        Rows = rows; Cols = cols; Values = values;
    }

    public Span<double> Row(int i) => Values.AsSpan(i * Cols, Cols);
    public ReadOnlySpan<double> RowReadOnly(int i) => new(Values, i * Cols, Cols);

    public double this[int i, int j]
    {
        get => Values[i * Cols + j];
        set => Values[i * Cols + j] = value;
    }

    public static Matrix FromRows(IReadOnlyList<double[]> rows)
    {
        int n = rows.Count, d = n == 0 ? 0 : rows[0].Length;
        var m = new Matrix(n, d);
        for (int i = 0; i < n; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException($"row {i} has {rows[i].Length} values, expected {d}");
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }

    public static Matrix FromArray(double[,] a)
    {
        int n = a.GetLength(0), d = a.GetLength(1);
        var m = new Matrix(n, d);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m[i, j] = a[i, j];
        return m;
    }

    /// <summary>Widens float32 rows (model precision) to a float64 analysis matrix.</summary>
    public static Matrix FromFloats(int rows, int cols, ReadOnlySpan<float> values)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = values[i];
        return m;
    }

    /// <summary>A new matrix holding the given rows, in the given order (repeats allowed).</summary>
    public Matrix SelectRows(ReadOnlySpan<int> rows)
    {
        var m = new Matrix(rows.Length, Cols);
        for (int r = 0; r < rows.Length; r++) RowReadOnly(rows[r]).CopyTo(m.Row(r));
        return m;
    }

    public Matrix Clone() => new(Rows, Cols, (double[])Values.Clone());
}
