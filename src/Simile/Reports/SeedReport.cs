using System.Globalization;
using System.Text;
using Simile.Analyses;
using Simile.Similarity;

namespace Simile.Reports;

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
        string? partTwoResults = null, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null)
    {
        var output = new ReportOutput(folder);
        output.AddText("results.json", SeedResultsJson.Write(r, partTwoResults, targets));
        var figures = BuildFigures(r, size);
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
        string? partTwoResults = null, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null)
    {
        Simile.Data.OutputPath.CheckFolder(folder);     // fail before the figures are drawn
        return Build(r, folder, partTwoHtml, size, partTwoResults, targets).WriteAll();
    }

    public static IReadOnlyList<Figure> BuildFigures(SeedAnalysisResult r, FigureSize? size = null)
    {
        var figures = new List<Figure>();
        var words = r.Words;
        int n = words.Count;
        var order = CategoryOrder(words);
        var orderedLabels = order.Select(i => words.Words[i]).ToList();
        var boundaries = CategoryBoundaries(words, order);
        bool similarity = SeedAnalysis.IsSimilarityKind(r.Kind);
        string quantity = QuantityName(r.Kind);

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
                $"{model.Model.Name}: {quantity} of {n} words", square, orderedLabels, boundaries, scale, quantity, size, model.Model.Name));
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
        double rsaLo = Math.Min(0, rsa.Cast<double>().Where(double.IsFinite).DefaultIfEmpty(0).Min());
        figures.Add(Figures.ValueMatrix("models-rsa", $"RSA between models (Pearson r of {quantity} matrices)",
            rsa, r.Models.Select(m => m.Model.Name).ToList(), (rsaLo, 1.0), "RSA r", size));
        return figures;
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
