using Simile.Data;

namespace Simile.Comparison;

internal static class MatrixChecks
{
    public static void SameItems(Matrix x, Matrix y, string measure)
    {
        if (x.Rows != y.Rows)
            throw new SimileException($"{measure}: the two matrices have different numbers of items ({x.Rows} and {y.Rows} rows)",
                "compare representations of the same items (same word list, same order)");
        if (x.Rows < 2)
            throw new SimileException($"{measure} needs at least 2 items, got {x.Rows}", "give more words/items");
        CheckFinite(x, "first");
        CheckFinite(y, "second");
    }

    private static void CheckFinite(Matrix m, string which)
    {
        var v = m.Values;
        for (int k = 0; k < v.Length; k++)
            if (!double.IsFinite(v[k]))
                throw new SimileException($"row {k / m.Cols + 1}, column {k % m.Cols + 1} of the {which} matrix is {v[k]}",
                    "check the source vectors for overflow or missing values; every value must be finite");
    }
}
