using System.Globalization;
using System.Text.Json;
using Simile.Data;
using Simile.Inference;

namespace Simile.Tests.Analyses.Layers;

/// <summary>Reference inputs and simple second routes shared by the layer tests.</summary>
internal static class LayerTestData
{
    public static Matrix ReadCase(string name)
    {
        var rows = File.ReadAllLines(Path.Combine(TestPaths.Reference, "cases", name + ".csv"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        return Matrix.FromRows(rows);
    }

    public static string[] C2Labels() => File.ReadAllLines(Path.Combine(TestPaths.Reference, "cases", "c2_labels.txt"))
        .Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToArray();

    public static JsonElement Expected(string caseName, string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "expected.json")));
        return doc.RootElement.GetProperty(caseName).GetProperty(key).Clone();
    }

    public static Matrix Random(int n, int d, ulong seed, double shift = 0)
    {
        var rng = new SeededRandom(seed);
        var m = new Matrix(n, d);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = rng.NextGaussian() + shift;
        return m;
    }

    /// <summary>Naive cosine similarity of rows i and j.</summary>
    public static double Cosine(Matrix x, int i, int j)
    {
        double dot = 0, a = 0, b = 0;
        for (int f = 0; f < x.Cols; f++) { dot += x[i, f] * x[j, f]; a += x[i, f] * x[i, f]; b += x[j, f] * x[j, f]; }
        return dot / Math.Sqrt(a * b);
    }

    /// <summary>Naive condensed cosine similarity with the rows taken through perm (identity when null).</summary>
    public static double[] CosineCondensed(Matrix x, int[]? perm = null)
    {
        int n = x.Rows;
        var list = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                list.Add(perm is null ? Cosine(x, i, j) : Cosine(x, perm[i], perm[j]));
        return list.ToArray();
    }


    public static int[] Permutation(int n, ulong seed, int p)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        SeededRandom.ForBlock(seed, p).Shuffle(perm);
        return perm;
    }
}
