using System.Globalization;
using System.Text;
using Simile.Analyses;
using Simile.Similarity;

namespace Simile.Reports;

/// <summary>Order of the words on the heatmaps' axes (--order).</summary>
public enum WordOrder
{
    /// <summary>Grouped by category in order of first appearance, word-list order within a category.</summary>
    Category,
    /// <summary>Grouped by category, average-linkage clustering order within a category.</summary>
    Cluster,
}

/// <summary>
/// Every output of the seed analysis, rendered in memory and then written atomically into one folder:
/// results.json, similarity-&lt;model&gt;.csv/.png/.svg, rsa-&lt;a&gt;-vs-&lt;b&gt;.png/.svg, direct-&lt;a&gt;-vs-&lt;b&gt;.png/.svg,
/// rotation-&lt;model&gt;.png/.svg, models-rsa.png/.svg and the self-contained report.html.
/// </summary>
public static class SeedReport
{
    /// <summary>Renders all outputs (no files written yet).</summary>
    /// <param name="partTwoHtml">Optional further section of report.html (the demo's layer part).</param>
    /// <param name="partTwoResults">Where that part's results.json is, relative to this folder (named in results.json).</param>
    /// <param name="targets">Comparisons with targets (<c>--target</c>): a "targets" array in results.json, figures and a report section.</param>
    public static ReportOutput Build(SeedAnalysisResult r, string folder, string? partTwoHtml = null, FigureSize? size = null,
        string? partTwoResults = null, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null, WordOrder order = WordOrder.Category)
    {
        var output = new ReportOutput(folder);
        output.AddText("results.json", SeedResultsJson.Write(r, partTwoResults, targets));
        var figures = BuildFigures(r, size, order);
        foreach (var f in figures) output.AddFigure(f);
        var targetFigures = targets is null ? [] : TargetFigures.ForModels(targets, size);
        foreach (var f in targetFigures) output.AddFigure(f);
        foreach (var m in r.Models)
            output.AddText($"similarity-{Simile.Data.OutputPath.SafeName(m.Model.Name)}.csv", MatrixCsv(r.Words.Words, m));
        string? targetsHtml = targets is null ? null : TargetReport.Section(targets, targetFigures, headingLevel: 2);
        output.AddText("report.html", SeedHtml.Write(r, figures, partTwoHtml, targetsHtml));
        return output;
    }

    /// <summary>Renders and writes everything to <paramref name="folder"/>; returns the written paths.</summary>
    public static IReadOnlyList<string> Write(SeedAnalysisResult r, string folder, string? partTwoHtml = null, FigureSize? size = null,
        string? partTwoResults = null, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null, WordOrder order = WordOrder.Category)
    {
        Simile.Data.OutputPath.CheckFolder(folder);     // fail before the figures are drawn
        return Build(r, folder, partTwoHtml, size, partTwoResults, targets, order).WriteAll();
    }

    public static IReadOnlyList<Figure> BuildFigures(SeedAnalysisResult r, FigureSize? size = null, WordOrder wordOrder = WordOrder.Category)
    {
        var figures = new List<Figure>();
        var words = r.Words;
        int n = words.Count;
        var order = wordOrder == WordOrder.Cluster && r.Models.Count > 0
            ? ClusterOrder(words, r.Models[0].Dissimilarity.Condensed) : CategoryOrder(words);
        var orderedLabels = order.Select(i => words.Words[i]).ToList();
        var orderedCategories = words.HasCategories ? order.Select(i => words.Categories[i]).ToList() : null;
        var boundaries = CategoryBoundaries(words, order);
        bool similarity = SeedAnalysis.IsSimilarityKind(r.Kind);
        string quantity = QuantityName(r.Kind);
        string colourLabel = similarity ? $"{quantity} (higher = more alike)" : $"{quantity} (lower = more alike)";

        // One colour scale shared by every model's matrix for the bounded similarity kinds; distances have
        // model-specific magnitudes (e.g. GloVe's norms are several times BERT's), so each gets its own scale.
        var displays = r.Models.Select(m => m.Display).ToList();
        double lo = displays.SelectMany(d => d).Where(double.IsFinite).DefaultIfEmpty(0).Min();
        double hi = displays.SelectMany(d => d).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var range = NiceRange(lo, hi);

        for (int m = 0; m < r.Models.Count; m++)
        {
            var model = r.Models[m];
            var square = new double[n, n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                    square[a, b] = a == b ? (similarity ? 1.0 : 0.0) : displays[m][CondensedIndex.Of(n, order[a], order[b])];
            var scale = similarity ? range : NiceRange(displays[m].Where(double.IsFinite).DefaultIfEmpty(0).Min(),
                                                       displays[m].Where(double.IsFinite).DefaultIfEmpty(1).Max());
            figures.Add(Figures.Heatmap($"similarity-{Simile.Data.OutputPath.SafeName(model.Model.Name)}",
                $"{model.Model.Name}: {quantity} of {n} words", square, orderedLabels, boundaries, scale, colourLabel, size, model.Model.Name,
                orderedCategories, signed: similarity));
        }

        bool[]? within = words.HasCategories ? WithinCategory(words) : null;
        foreach (var p in r.Pairs)
        {
            var a = r.Models[r.IndexOf(p.A)];
            var b = r.Models[r.IndexOf(p.B)];
            string pair = $"{Simile.Data.OutputPath.SafeName(p.A)}-vs-{Simile.Data.OutputPath.SafeName(p.B)}";
            string title = $"{p.A} vs {p.B}: RSA r = {Figures.Num(p.Pearson)}" +
                           (p.PearsonTest is { } t ? $", {PValue.Text(t.PValue, t.Permutations)}" : "");
            var hover = new List<string>(a.Display.Length);
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    long k = CondensedIndex.Of(n, i, j);
                    hover.Add($"{words.Words[i]} – {words.Words[j]}: {p.A} {Figures.Num(a.Display[k])}, {p.B} {Figures.Num(b.Display[k])}");
                }
            figures.Add(Figures.RsaScatter($"rsa-{pair}", title, a.Display, b.Display, within,
                $"{p.A} {quantity}", $"{p.B} {quantity}", size, hover));
            if (p.Direct is { } d)
                figures.Add(Figures.WordBars($"direct-{pair}",
                    $"Direct correlation per word: {p.A} vs {p.B} (mean r = {Figures.Num(d.Mean)})",
                    words.Words, d.PerItem, "Pearson r of the two vectors", r.Rotation.DirectCorrelationMean,
                    $"rotation control mean ({Figures.Num(r.Rotation.DirectCorrelationMean)})", size,
                    (-r.Rotation.ExpectedSpread, r.Rotation.ExpectedSpread, $"chance spread (±{Figures.Num(r.Rotation.ExpectedSpread)})")));
        }

        figures.Add(Figures.WordBars($"rotation-{Simile.Data.OutputPath.SafeName(r.Rotation.Model)}",
            $"Rotation control: {r.Rotation.Model} vs a rotated copy (RSA r = {Figures.Num(r.Rotation.RsaPearson)}, mean direct r = {Figures.Num(r.Rotation.DirectCorrelationMean)})",
            words.Words, r.Rotation.PerWord, "Pearson r of the two vectors", size: size,
            band: (-r.Rotation.ExpectedSpread, r.Rotation.ExpectedSpread, $"chance spread (±{Figures.Num(r.Rotation.ExpectedSpread)})")));

        var rsa = r.RsaMatrix();
        int models = r.Models.Count;
        var lower = new double[models, models]; var upper = new double[models, models];
        for (int i = 0; i < models; i++) for (int j = 0; j < models; j++) lower[i, j] = upper[i, j] = double.NaN;
        foreach (var p in r.Pairs)
            if (p.PearsonInterval is { } ci)
            {
                int a = r.IndexOf(p.A), b = r.IndexOf(p.B);
                lower[a, b] = lower[b, a] = ci.Lower;
                upper[a, b] = upper[b, a] = ci.Upper;
            }
        figures.Add(Figures.ValueMatrix("models-rsa", $"RSA between models: Pearson r of their {quantity} matrices" +
                (r.Pairs.Any(p => p.PearsonInterval is not null) ? ", with 95% bootstrap intervals" : ""),
            rsa, r.Models.Select(m => m.Model.Name).ToList(), OffDiagonalRange(rsa), "RSA r (higher = more alike)", size,
            lower, upper, blankDiagonal: true, signed: true));
        return figures;
    }

    /// <summary>The colour range of a model × model matrix: its off-diagonal values (the diagonal is 1 by construction), widened to tenths.</summary>
    public static (double Min, double Max) OffDiagonalRange(double[,] m)
    {
        var values = new List<double>();
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                if (i != j && double.IsFinite(m[i, j])) values.Add(m[i, j]);
        return values.Count == 0 ? (0, 1) : NiceRange(values.Min(), values.Max());
    }

    /// <summary>
    /// Word indices grouped by category as <see cref="CategoryOrder"/>, and within each category in the leaf order of an
    /// average-linkage dendrogram of <paramref name="condensedDistances"/> among its words (<see cref="AverageLinkage"/>,
    /// scipy's <c>linkage(method="average")</c> + <c>leaves_list</c>). Callers pass the first model's dissimilarities
    /// (1 − cos for the cosine kind), so every model's heatmap uses the same order.
    /// </summary>
    public static int[] ClusterOrder(Simile.Data.WordList words, double[] condensedDistances)
    {
        int n = words.Count;
        var grouped = CategoryOrder(words);
        var result = new List<int>(n);
        int start = 0;
        for (int k = 1; k <= n; k++)
        {
            if (k < n && words.Categories[grouped[k]] == words.Categories[grouped[start]]) continue;
            var block = grouped[start..k];
            int m = block.Length;
            var sub = new double[CondensedIndex.Length(m)];
            for (int a = 0; a < m; a++)
                for (int b = a + 1; b < m; b++)
                    sub[CondensedIndex.Of(m, a, b)] = condensedDistances[CondensedIndex.Of(n, block[a], block[b])];
            result.AddRange(AverageLinkage.Order(sub, m).Select(i => block[i]));
            start = k;
        }
        return result.ToArray();
    }

    /// <summary>The n × n matrix with word labels (row and column headers), in word-list order, full precision.</summary>
    public static string MatrixCsv(IReadOnlyList<string> words, ModelMatrices m)
    {
        int n = words.Count;
        var display = m.Display;
        double diagonal = SeedAnalysis.IsSimilarityKind(m.Dissimilarity.Kind) ? 1.0 : 0.0;
        return Simile.Data.MatrixFile.CsvText("word", words, words, (i, j) => i == j ? diagonal : display[CondensedIndex.Of(n, i, j)]);
    }

    /// <summary>Word indices grouped by category (categories in order of first appearance, uncategorised last), stable.</summary>
    public static int[] CategoryOrder(Simile.Data.WordList words)
    {
        var rank = words.CategoryNames.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        return Enumerable.Range(0, words.Count)
            .OrderBy(i => words.Categories[i] is { } c ? rank[c] : int.MaxValue)
            .ThenBy(i => i).ToArray();
    }

    /// <summary>Positions in <paramref name="order"/> where a new category starts (excluding 0).</summary>
    public static List<int> CategoryBoundaries(Simile.Data.WordList words, int[] order)
    {
        var b = new List<int>();
        if (!words.HasCategories) return b;
        for (int k = 1; k < order.Length; k++)
            if (words.Categories[order[k]] != words.Categories[order[k - 1]]) b.Add(k);
        return b;
    }

    /// <summary>Per condensed pair: both words have the same (non-null) category.</summary>
    public static bool[] WithinCategory(Simile.Data.WordList words)
    {
        int n = words.Count;
        var within = new bool[CondensedIndex.Length(n)];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++)
                within[k] = words.Categories[i] is { } c && c == words.Categories[j];
        return within;
    }

    public static string QuantityName(DissimilarityKind kind) => kind switch
    {
        DissimilarityKind.Cosine => "cosine similarity",
        DissimilarityKind.Correlation => "correlation (1 − d)",
        DissimilarityKind.Euclidean => "euclidean distance",
        DissimilarityKind.SqEuclideanPerFeature => "squared distance / dims",
        _ => kind.Name(),
    };

    private static (double, double) NiceRange(double lo, double hi)
    {
        double l = Math.Floor(lo * 10) / 10, h = Math.Ceiling(hi * 10) / 10;
        if (h <= l) h = l + 0.1;
        return (l, h);
    }
}
