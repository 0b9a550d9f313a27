using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Simile.Analyses;
using Simile.Similarity;
using static Simile.Data.JsonOutput;

namespace Simile.Reports;

/// <summary>
/// Outputs of <c>rsa --vocabulary shared</c>: results.json (the seed analysis' keys, ci95 null, plus a "vocabulary"
/// block), rsa-&lt;a&gt;-vs-&lt;b&gt; drawn as density plots, direct-&lt;a&gt;-vs-&lt;b&gt; as distributions, models-rsa and a
/// self-contained report.html. No word × word CSV or heatmap: with tens of thousands of words they would hold
/// hundreds of millions of values.
/// </summary>
public static class VocabularyReport
{
    public static IReadOnlyList<string> Write(VocabularyAnalysisResult r, string folder, FigureSize? size = null)
    {
        Simile.Data.OutputPath.CheckFolder(folder);
        return Build(r, folder, size).WriteAll();
    }

    public static ReportOutput Build(VocabularyAnalysisResult r, string folder, FigureSize? size = null)
    {
        var output = new ReportOutput(folder);
        output.AddText("results.json", Json(r));
        var figures = BuildFigures(r, size);
        foreach (var f in figures) output.AddFigure(f);
        output.AddText("report.html", Html(r, figures));
        return output;
    }

    public static IReadOnlyList<Figure> BuildFigures(VocabularyAnalysisResult r, FigureSize? size = null)
    {
        var figures = new List<Figure>();
        bool similarity = SeedAnalysis.IsSimilarityKind(r.Kind);
        string quantity = SeedReport.QuantityName(r.Kind);
        foreach (var p in r.Pairs)
        {
            var g = p.Density;
            int bins = g.Bins;
            var counts = new long[bins, bins];
            for (int ra = 0; ra < bins; ra++)
                for (int cb = 0; cb < bins; cb++)
                {
                    // A on x, B on y; similarities are 1 − d, which mirrors both axes.
                    int col = similarity ? bins - 1 - ra : ra;
                    int rowFromTop = similarity ? cb : bins - 1 - cb;
                    counts[rowFromTop, col] = g[ra, cb];
                }
            var x = similarity ? (1 - g.MaxA, 1 - g.MinA) : (g.MinA, g.MaxA);
            var y = similarity ? (1 - g.MaxB, 1 - g.MinB) : (g.MinB, g.MaxB);
            string pair = $"{Simile.Data.OutputPath.SafeName(p.A)}-vs-{Simile.Data.OutputPath.SafeName(p.B)}";
            string title = $"{p.A} vs {p.B}, {g.Pairs:N0} word pairs: r = {F(p.Pearson)}" +
                           (p.PearsonTest is { } t ? $", {PValue.Text(t.PValue, t.Permutations)}" : "");
            figures.Add(Figures.DensityGrid($"rsa-{pair}", title, counts, x, y, $"{p.A} {quantity}", $"{p.B} {quantity}", size));
            if (p.Direct is { } d)
                figures.Add(Figures.Distributions($"direct-{pair}", $"Direct per-word correlation: {p.A} vs {p.B}",
                    [($"{p.A} vs {p.B}", d.PerItem), ($"{r.Rotation.Model} vs rotated copy", r.Rotation.PerWord)], "Pearson r of a word's two vectors", size: size));
        }
        var rsa = r.RsaMatrix();
        double lo = Math.Min(0, rsa.Cast<double>().Where(double.IsFinite).DefaultIfEmpty(0).Min());
        figures.Add(Figures.ValueMatrix("models-rsa", $"RSA between models over {r.Words.Count:N0} words",
            rsa, r.Models.Select(m => m.Name).ToList(), SeedReport.OffDiagonalRange(rsa), "RSA r (higher = more alike)", size,
            blankDiagonal: true, signed: true));
        return figures;
    }

    public static string Json(VocabularyAnalysisResult r)
    {
        return Document(w =>
        {
            w.WriteStartObject();
            SeedResultsJson.WordsAndKind(w, r.Words, r.Kind);
            SeedResultsJson.Models(w, r.Models);
            w.WriteStartArray("pairs");
            foreach (var p in r.Pairs)
            {
                SeedResultsJson.PairRsaStart(w, p.A, p.B, p.Pearson, p.Spearman, p.PearsonTest?.PValue);
                w.WriteNull("ci95");
                w.WriteNumber("permutations", r.Options.Permutations);
                w.WriteNumber("word_pairs", p.Detail.Pairs);
                w.WriteEndObject();
                SeedResultsJson.DirectCorrelationOf(w, p.Direct, p.DirectUndefinedReason, p.SharedLineage);
                w.WriteNumber("peak_bytes", p.Detail.PeakBytes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            SeedResultsJson.RotationControl(w, r.Rotation);
            w.WriteStartObject("vocabulary");
            w.WriteNumber("words", r.Words.Count);
            w.WriteNumber("shared_words", r.Vocabulary.SharedCount);
            w.WriteNumber("after_min_frequency_rank", r.Vocabulary.AfterRankFilter);
            w.WriteString("frequency_order_from", r.Vocabulary.FrequencyOrderFrom);
            if (r.Vocabulary.Limit is int l) w.WriteNumber("limit", l); else w.WriteNull("limit");
            if (r.Vocabulary.MinFrequencyRank is int mr) w.WriteNumber("min_frequency_rank", mr); else w.WriteNull("min_frequency_rank");
            w.WriteEndObject();
            w.WriteNumber("seed", r.Options.Seed);
            StringArray(w, "notes", r.Notes);
            w.WriteEndObject();
        });
    }

    public static string Html(VocabularyAnalysisResult r, IReadOnlyList<Figure> figures)
    {
        var fig = figures.ToDictionary(f => f.Name);
        string quantity = SeedReport.QuantityName(r.Kind);
        int n = r.Words.Count;
        var sb = new StringBuilder();
        HtmlPage.Begin(sb, "Simile: shared vocabulary")
          .Append($"<h1>How {r.Models.Count} models represent {n:N0} shared words</h1>\n")
          .Append("<h2>What was computed</h2>\n<p>")
          .Append($"The words are every letters-only word that is one whole token in every model ({r.Vocabulary.SharedCount:N0} shared")
          .Append(r.Vocabulary.MinFrequencyRank is int mr ? $", from frequency rank {mr}" : "")
          .Append(r.Vocabulary.Limit is int l ? $", the first {l:N0}" : "")
          .Append($"; frequency order from {H(r.Vocabulary.FrequencyOrderFrom)}). Within each model the {H(quantity)} of every pair of words ")
          .Append($"({CondensedIndex.Length(n):N0} pairs) forms the model's geometry; RSA correlates these values between models ")
          .Append("(Pearson r, and Spearman ρ on their ranks) without ever building the n × n matrices. ")
          .Append(r.Options.Permutations > 0 ? $"p comes from {r.Options.Permutations:N0} permutations of the words (seed {r.Options.Seed}). " : "")
          .Append("No bootstrap interval is given: with this many words it would be extremely narrow and each resample costs a full pass.</p>\n")
          .Append("<p>Direct correlation compares a word's two vectors coordinate by coordinate. It is undefined across widths and meaningless ")
          .Append("between independently trained models, whose axes are arbitrary: the rotation control turns ")
          .Append($"{H(r.Rotation.Model)}'s vectors by a random orthogonal matrix, which leaves its geometry intact (RSA {F(r.Rotation.RsaPearson)}) ")
          .Append($"but drops the direct correlation to {F(r.Rotation.DirectCorrelationMean)}.</p>\n");
        sb.Append("<h2>Notes</h2>\n<ul>\n");
        foreach (var note in r.Notes) sb.Append("<li>").Append(H(HtmlPage.Typeset(note))).Append("</li>\n");
        sb.Append("</ul>\n<h2>Models</h2>\n<table>\n<tr><th>model</th><th>vocabulary × dims</th><th>source</th></tr>\n");
        foreach (var m in r.Models)
            sb.Append($"<tr><td>{H(m.Name)}</td><td class=\"num\">{m.VocabularySize:N0} × {m.Dims}</td><td>{H(HtmlPage.PublicSource(m.Source))}</td></tr>\n");
        sb.Append("</table>\n<h2>RSA between models</h2>\n<table>\n<tr><th>model A</th><th>model B</th><th>Pearson r</th><th>Spearman ρ</th>" +
                  "<th>p (Pearson)</th><th>direct correlation</th></tr>\n");
        foreach (var p in r.Pairs)
            sb.Append($"<tr><td>{H(p.A)}</td><td>{H(p.B)}</td><td class=\"num\">{F(p.Pearson)}</td><td class=\"num\">{F(p.Spearman)}</td>")
              .Append($"<td class=\"num\">{(p.PearsonTest is { } t ? H(PValue.Text(t.PValue, t.Permutations)) : "–")}</td>")
              .Append($"<td>{(p.Direct is { } d ? $"mean r = {F(d.Mean)}{(p.SharedLineage ? " (shared lineage)" : "")}" : "undefined: " + H(p.DirectUndefinedReason ?? ""))}</td></tr>\n");
        sb.Append("</table>\n");
        foreach (var f in figures) Img(sb, f);
        sb.Append("<h2>Words</h2>\n<p>First words: ").Append(H(string.Join(", ", r.Words.Words.Take(60))))
          .Append(n > 60 ? ", …" : "").Append(" (all in results.json).</p>\n");
        return HtmlPage.End(sb).ToString();
    }

    private static void Img(StringBuilder sb, Figure f) => HtmlPage.Figure(sb, f);

    private static string H(string s) => HtmlPage.H(s);
    private static string F(double v) => HtmlPage.F(v);
}
