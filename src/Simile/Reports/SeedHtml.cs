using System.Globalization;
using System.Net;
using System.Text;
using Simile.Analyses;
using Simile.Similarity;

namespace Simile.Reports;

/// <summary>
/// report.html of the seed analysis: one self-contained page (figures embedded as base64 PNG, no external
/// links or scripts), with tables and a plain-language account of what was computed and what it means.
/// </summary>
public static class SeedHtml
{
    /// <param name="partTwoHtml">Optional body fragment (e.g. <see cref="LayerReport.HtmlSection"/>) placed before the settings.</param>
    /// <param name="targetsHtml">Optional section comparing the models with targets (<see cref="TargetReport.Section"/>), placed before part 2.</param>
    public static string Write(SeedAnalysisResult r, IReadOnlyList<Figure> figures, string? partTwoHtml = null, string? targetsHtml = null)
    {
        var fig = figures.ToDictionary(f => f.Name);
        string quantity = SeedReport.QuantityName(r.Kind);
        int n = r.Words.Count;
        long pairsOfWords = CondensedIndex.Length(n);
        var sb = new StringBuilder();
        HtmlPage.Begin(sb, "Simile: " + string.Join(", ", r.Models.Select(m => m.Model.Name)));
        sb.Append($"<h1>How {r.Models.Count} models represent {n} words</h1>\n");
        if (partTwoHtml is not null) sb.Append("<h1>Part 1: one vector per word</h1>\n");

        // What was computed.
        sb.Append("<h2>What was computed</h2>\n<p>")
          .Append($"Each model gives one vector per word (its static token embedding or word vector). Within each model, the " +
                  $"{H(quantity)} of every pair of words gives a {n} × {n} matrix: the model's <em>geometry</em> of these words. " +
                  $"<strong>Representational similarity analysis (RSA)</strong> then asks whether two models arrange the words alike: " +
                  $"it correlates the {pairsOfWords:N0} word-pair values of one model's matrix with the other's (Pearson r on the values, " +
                  "Spearman ρ on their ranks). The two matrices have the same size whatever the models' widths, so RSA compares " +
                  "any two models.</p>\n<p>")
          .Append(r.Options.Permutations > 0
              ? $"The p-value is a permutation test: the words of one matrix were shuffled {r.Options.Permutations:N0} times " +
                "(rows and columns together) and p is the share of shuffles whose r reached the observed one, counting the observed " +
                "order, (k + 1)/(N + 1). "
              : "No permutation test was run. ")
          .Append(r.Options.BootstrapResamples > 0
              ? $"The 95% interval resamples the words with replacement {r.Options.BootstrapResamples:N0} times and recomputes r " +
                "(pairs of a word with its own copy are left out); it shows how much r depends on which words were chosen. "
              : "")
          .Append($"All random draws come from seed {r.Options.Seed}, so the numbers are reproducible.</p>\n");

        sb.Append("<h2>Settings</h2>\n<table>\n")
          .Append($"<tr><td>models</td><td class=\"text\">{H(string.Join(", ", r.Models.Select(m => m.Model.Name)))}</td></tr>\n")
          .Append($"<tr><td>dissimilarity</td><td>{H(r.Kind.Name())}</td></tr>\n")
          .Append($"<tr><td>permutations</td><td class=\"num\">{r.Options.Permutations:N0}</td></tr>\n")
          .Append($"<tr><td>bootstrap resamples</td><td class=\"num\">{r.Options.BootstrapResamples:N0}</td></tr>\n")
          .Append($"<tr><td>seed</td><td class=\"num\">{r.Options.Seed}</td></tr>\n")
          .Append("</table>\n<p class=\"caption\">Files next to this page: <a href=\"results.json\">results.json</a> (all numbers of " +
                  (partTwoHtml is null ? "this analysis" : "part 1; part 2's are in <a href=\"layers/results.json\">layers/results.json</a>") +
                  "), similarity-&lt;model&gt;.csv (matrices with word labels) and every figure as PNG and SVG" +
                  (partTwoHtml is null ? "" : " (part 2's in <code>layers/</code>)") + ". Point at a heatmap cell or a point to read its value; click a figure to open it full size.</p>\n");

        sb.Append("<h2>Direct correlation and the rotation control</h2>\n<p>")
          .Append("One could instead correlate a word's vector in one model directly with its vector in the other, coordinate by " +
                  "coordinate. That is only defined when the widths match, and even then it is meaningless for independently trained " +
                  "models: training fixes the geometry (which words are near which) but not the axes, and any rotation of the whole " +
                  "space describes the same model equally well. Coordinate 17 of one model has nothing to do with coordinate 17 of another.</p>\n<p>")
          .Append($"The rotation control makes this concrete: the vectors of <strong>{H(r.Rotation.Model)}</strong> were multiplied by a random " +
                  "orthogonal matrix (QR of a Gaussian matrix). The copy is the same model in a turned coordinate system. Its direct " +
                  $"correlation with the original is {F(r.Rotation.DirectCorrelationMean)} on average (chance spread ±{F(r.Rotation.ExpectedSpread)}), " +
                  $"yet its RSA with the original is {F(r.Rotation.RsaPearson)}")
          .Append(SeedAnalysis.IsRotationInvariant(r.Kind)
              ? $": {H(quantity)} does not change under rotation, so RSA sees the identical geometry that direct correlation misses."
              : $": the '{H(r.Kind.Name())}' dissimilarity centres each vector over its features, which a rotation does not preserve, so RSA is not exactly 1 here.")
          .Append(" A high direct correlation between two real models therefore means they share coordinates — one was initialised from, " +
                  "or distilled from, the other — not that they agree more than RSA says.</p>\n");

        if (r.Notes.Count > 0)
        {
            sb.Append("<h2>Notes</h2>\n<ul>\n");
            foreach (var note in r.Notes) sb.Append("<li>").Append(H(note)).Append("</li>\n");
            sb.Append("</ul>\n");
        }

        // Models.
        sb.Append("<h2>Models</h2>\n<table>\n<tr><th>model</th><th>vocabulary × dims</th><th>architecture</th><th>source</th></tr>\n");
        foreach (var m in r.Models)
            sb.Append($"<tr><td>{H(m.Model.Name)}</td><td class=\"num\">{m.Model.VocabularySize:N0} × {m.Model.Dims}</td>" +
                      $"<td>{H(m.Model.Architecture)}</td><td>{H(m.Model.Source)}</td></tr>\n");
        sb.Append("</table>\n");

        // RSA.
        sb.Append("<h2>RSA between models</h2>\n<table>\n<tr><th>model A</th><th>model B</th><th>Pearson r</th><th>Spearman ρ</th>" +
                  "<th>p (Pearson)</th><th>95% interval</th><th>direct correlation</th></tr>\n");
        foreach (var p in r.Pairs)
        {
            sb.Append($"<tr><td>{H(p.A)}</td><td>{H(p.B)}</td><td class=\"num\">{F(p.Pearson)}</td><td class=\"num\">{F(p.Spearman)}</td>")
              .Append($"<td class=\"num\">{(p.PearsonTest is { } t ? H(PValue.Text(t.PValue, t.Permutations)) : "–")}</td>")
              .Append($"<td class=\"num\">{(p.PearsonInterval is { } ci ? $"[{F(ci.Lower)}, {F(ci.Upper)}]" : "–")}</td>")
              .Append($"<td class=\"text\">{(p.Direct is { } d ? $"mean r = {F(d.Mean)}{(p.SharedLineage ? " (shared lineage)" : "")}" : "undefined: " + H(p.DirectUndefinedReason ?? ""))}</td></tr>\n");
        }
        sb.Append("</table>\n");
        Img(sb, fig, "models-rsa");
        foreach (var p in r.Pairs) Img(sb, fig, $"rsa-{Simile.Data.OutputPath.SafeName(p.A)}-vs-{Simile.Data.OutputPath.SafeName(p.B)}");
        if (r.Words.HasCategories)
            sb.Append("<p class=\"caption\">Each point is one pair of words. Pairs within one category are blue, pairs across categories " +
                      "orange: when both models put same-category words close together, the blue points sit high on both axes.</p>\n");

        // Matrices.
        sb.Append($"<h2>Within-model matrices ({H(quantity)})</h2>\n<p>Words are in category order with white lines between categories; " +
                  (SeedAnalysis.IsSimilarityKind(r.Kind)
                      ? "all models share one colour scale, so equal colours mean equal values. "
                      : "each model has its own colour scale, because distances have model-specific magnitudes. ") +
                  "The diagonal (a word with itself) is left blank.</p>\n");
        foreach (var m in r.Models) Img(sb, fig, $"similarity-{Simile.Data.OutputPath.SafeName(m.Model.Name)}");

        // Direct correlations.
        sb.Append("<h2>Direct per-word correlations</h2>\n");
        foreach (var p in r.Pairs)
        {
            if (p.Direct is not null) Img(sb, fig, $"direct-{Simile.Data.OutputPath.SafeName(p.A)}-vs-{Simile.Data.OutputPath.SafeName(p.B)}");
            else sb.Append($"<p>{H(p.A)} vs {H(p.B)}: undefined. {H(p.DirectUndefinedReason ?? "")}.</p>\n");
        }
        Img(sb, fig, $"rotation-{Simile.Data.OutputPath.SafeName(r.Rotation.Model)}");

        // Words and tokenization.
        sb.Append("<h2>Words</h2>\n");
        if (r.Selection is { } sel)
        {
            sb.Append($"<p>Subword policy: <code>{H(sel.Policy.ToString().ToLowerInvariant())}</code>. ");
            if (sel.Skipped.Count > 0)
                sb.Append("Left out because a model lacks them: ")
                  .Append(H(string.Join(", ", sel.Skipped.Select(s => $"{s.Word} (not in {string.Join(", ", s.MissingIn)})")))).Append('.');
            sb.Append("</p>\n<table>\n<tr><th>word</th><th>category</th>");
            foreach (var c in sel.Checks) sb.Append("<th>").Append(H(c.Model)).Append(" pieces</th>");
            sb.Append("</tr>\n");
            for (int i = 0; i < n; i++)
            {
                sb.Append($"<tr><td>{H(r.Words.Words[i])}</td><td>{H(r.Words.Categories[i] ?? "")}</td>");
                foreach (var c in sel.Checks)
                {
                    var t = c.Tokens.FirstOrDefault(t => t.Word == r.Words.Words[i]);
                    string pieces = t is null ? "" : t.Known ? string.Join(" + ", t.Pieces) : "missing";
                    sb.Append($"<td{(t is { IsSingleToken: false } ? " class=\"warn\"" : "")}>{H(pieces)}</td>");
                }
                sb.Append("</tr>\n");
            }
            sb.Append("</table>\n");
        }
        else
        {
            sb.Append("<p>").Append(H(string.Join(", ", r.Words.Words.Select((w, i) =>
                r.Words.Categories[i] is { } c ? $"{w} ({c})" : w)))).Append("</p>\n");
        }

        if (targetsHtml is not null) sb.Append(targetsHtml);
        if (partTwoHtml is not null) sb.Append(partTwoHtml);

        return HtmlPage.End(sb).ToString();
    }

    private static void Img(StringBuilder sb, IReadOnlyDictionary<string, Figure> figures, string name)
    {
        if (figures.TryGetValue(name, out var f)) HtmlPage.Figure(sb, f);
    }

    private static string H(string s) => HtmlPage.H(s);
    private static string F(double v) => HtmlPage.F(v);
}
