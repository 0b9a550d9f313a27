using System.Text.Json;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Reports;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests.Analyses;

public class PairComparisonTests
{
    private static LabeledMatrix M(string path, string[]? names, params double[][] rows) =>
        new(Matrix.FromRows(rows), names, null, path);

    [Fact]
    public void NaNBecomesNullAndNumbersRoundTripExactly()
    {
        double third = 1.0 / 3, tiny = 1.2345678901234567e-300;
        var r = new PairComparisonResult(5, 4, 4, DissimilarityKind.Correlation,
            [new RsaScore(RsaMeasure.Pearson, third), new RsaScore(RsaMeasure.Spearman, double.NaN)],
            new CkaScores(tiny, double.PositiveInfinity), null,
            new DirectCorrelationResult(0.5, [1, double.NaN, -0.25]),
            new PermutationSummary(10, ulong.MaxValue, 1.0 / 11, 0.5), null, null, []);
        using var doc = JsonDocument.Parse(PairComparisonJson.Text(r, indented: false));
        var j = doc.RootElement;
        Assert.Equal("correlation", j.GetProperty("rdm").GetString());
        Assert.Equal(third, j.GetProperty("rsa").GetProperty("pearson").GetDouble());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("rsa").GetProperty("spearman").ValueKind);
        Assert.Equal(tiny, j.GetProperty("cka").GetProperty("linear").GetDouble());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("cka").GetProperty("linear_debiased").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("direct_correlation").GetProperty("per_item")[1].ValueKind);
        Assert.Equal(ulong.MaxValue, j.GetProperty("permutation").GetProperty("seed").GetUInt64());
        Assert.Equal(1.0 / 11, j.GetProperty("permutation").GetProperty("p_pearson").GetDouble());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("procrustes").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("bootstrap").ValueKind);
    }

    [Fact]
    public void ItemsMustMatch()
    {
        double[] r1 = [1, 0], r2 = [0, 1], r3 = [1, 1], r4 = [2, 1];
        var a = M("a.csv", ["sun", "moon", "star"], r1, r2, r3);
        var e = Assert.Throws<SimileException>(() => PairComparison.Run(a, M("b.csv", null, r1, r2, r3, r4)));
        Assert.Contains("'a.csv' has 3 items (rows) but 'b.csv' has 4", e.Message);

        e = Assert.Throws<SimileException>(() => PairComparison.Run(a, M("b.csv", ["sun", "moon", "comet"], r1, r2, r3)));
        Assert.Contains("item 'star' (row 3 ('star') of 'a.csv') is not in 'b.csv'", e.Message);
        Assert.Contains("'comet'", e.Message);

        e = Assert.Throws<SimileException>(() => PairComparison.Run(M("a.csv", null, r1, r2), M("b.csv", null, r1, r2)));
        Assert.Contains("at least 3", e.Message);
    }

    [Fact]
    public void ReorderedItemsGiveTheSameResultWithANote()
    {
        double[][] rows = [[1, 0, 2], [0, 1, 1], [1, 1, 0], [2, 1, 3], [0.5, 2, 1]];
        string[] names = ["a", "b", "c", "d", "e"];
        var x = M("x.csv", names, rows);
        var y = M("y.csv", names, [.. rows.Select(r => r.Select(v => v * v + 1).ToArray())]);
        int[] perm = [3, 0, 4, 1, 2];
        var yShuffled = M("y.csv", [.. perm.Select(i => names[i])], [.. perm.Select(i => y.Values.RowReadOnly(i).ToArray())]);
        var options = new PairComparisonOptions { Measures = PairMeasures.ParseList("pearson,spearman,cka,direct") };
        var straight = PairComparison.Run(x, y, options);
        var aligned = PairComparison.Run(x, yShuffled, options);
        Assert.Empty(straight.Notes);
        Assert.Single(aligned.Notes);
        Assert.Equal(PairComparisonJson.Text(straight), PairComparisonJson.Text(aligned));
    }

    [Fact]
    public void MeasureListsParse()
    {
        Assert.Equal(9, PairMeasures.ParseList(null).Count);
        Assert.Equal(9, PairMeasures.ParseList("all").Count);
        Assert.Equal([PairMeasure.KendallTauB, PairMeasure.Cka], PairMeasures.ParseList(" kendall-tau-b , CKA ").OrderBy(m => m));
        Assert.Throws<SimileException>(() => PairMeasures.ParseList("pearson,kendall"));
        Assert.Throws<SimileException>(() => PairMeasures.ParseList(","));
    }
}
