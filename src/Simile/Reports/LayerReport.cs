using System.Globalization;
using System.Net;
using System.Text;
using Simile.Analyses.Layers;

namespace Simile.Reports;

/// <summary>
/// The outputs of <c>simile layers</c>: results.json, the figures (PNG + SVG) and a self-contained report.html
/// with a plain-language account. <see cref="HtmlSection"/> gives the report body alone, for embedding (demo).
/// </summary>
public static class LayerReport
{
    /// <summary>Renders all outputs in memory (nothing written yet).</summary>
    public static ReportOutput Build(LayerAnalysisResult r, string folder, FigureSize? size = null) => Build(r, folder, BuildFigures(r, size));

    /// <summary>Renders all outputs with figures already drawn by <see cref="BuildFigures"/> (nothing written yet).</summary>
    /// <param name="targets">Comparisons with targets (<c>--target</c>): "targets" in results.json, their figures and a report section.</param>
    public static ReportOutput Build(LayerAnalysisResult r, string folder, IReadOnlyList<Figure> figures,
        IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null, FigureSize? size = null)
    {
        var output = new ReportOutput(folder);
        output.AddText("results.json", LayerResultsJson.Write(r, targets));
        foreach (var f in figures) output.AddFigure(f);
        var targetFigures = targets is null ? [] : TargetFigures.ForLayers(targets, size);
        foreach (var f in targetFigures) output.AddFigure(f);
        output.AddText("report.html", Html(r, figures, targets is null ? null : TargetReport.Section(targets, targetFigures, headingLevel: 2)));
        return output;
    }

    /// <summary>Renders and writes everything to <paramref name="folder"/> (each file atomically); returns the paths.</summary>
    public static IReadOnlyList<string> Write(LayerAnalysisResult r, string folder, FigureSize? size = null) => Build(r, folder, size).WriteAll();

    public static IReadOnlyList<Figure> BuildFigures(LayerAnalysisResult r, FigureSize? size = null)
    {
        var figs = new List<Figure>();
        bool normalized = r.Options.Normalization.Kind != NormalizationKind.None;
        string norm = normalized ? $", normalisation {r.Options.Normalization}" : "";
        foreach (var m in r.Models)
            figs.Add(LayerFigures.GridHeatmap($"layers-within-{Simile.Data.OutputPath.SafeName(m.Model)}",
                $"{m.Model}: RSA between its representations{norm}", m.Within, size));
        foreach (var g in r.Across)
            figs.Add(LayerFigures.GridHeatmap($"layers-across-{Simile.Data.OutputPath.SafeName(g.RowModel)}-{Simile.Data.OutputPath.SafeName(g.ColumnModel)}",
                $"{g.RowModel} × {g.ColumnModel}: best {g.RowLabels[g.BestRow]}–{g.ColumnLabels[g.BestColumn]}, " +
                $"r = {F(g.BestValue)}{(g.Permutations > 0 ? ", max-calibrated p " + PValue.Relation(g.MaxPValue, g.Permutations) : "")}", g, size));

        // x positions are representation indices; where models name a position differently (GPT-2's "final"), show both.
        int longest = r.Models.Max(m => m.Labels.Count);
        var xLabels = Enumerable.Range(0, longest).Select(i => string.Join(" / ",
            r.Models.Where(m => i < m.Labels.Count).Select(m => m.Labels[i]).Distinct())).ToList();
        var aniso = new List<LayerSeries>();
        for (int i = 0; i < r.Models.Count; i++)
        {
            var m = r.Models[i];
            aniso.Add(new LayerSeries(normalized ? $"{m.Model} ({r.Options.Normalization})" : m.Model, m.Anisotropy, ColorIndex: i));
            if (normalized) aniso.Add(new LayerSeries($"{m.Model} (raw)", m.AnisotropyRaw, Secondary: true, ColorIndex: i));
        }
        figs.Add(LayerFigures.AcrossRepresentations("layers-anisotropy", "Anisotropy: mean cosine similarity of all word pairs",
            xLabels, aniso, "mean pairwise cosine", referenceLine: 0, size: size));

        if (r.Models.Any(m => m.CategoryRsa is not null))
        {
            var rsa = new List<LayerSeries>();
            for (int i = 0; i < r.Models.Count; i++)
            {
                var m = r.Models[i];
                if (m.CategoryRsa is null) continue;
                rsa.Add(new LayerSeries(normalized ? $"{m.Model} ({r.Options.Normalization})" : m.Model, m.CategoryRsa.Select(c => c.Pearson).ToArray(), ColorIndex: i));
                if (m.CategoryRsaRaw is not null)
                    rsa.Add(new LayerSeries($"{m.Model} (raw)", m.CategoryRsaRaw.Select(c => c.Pearson).ToArray(), Secondary: true, ColorIndex: i));
            }
            figs.Add(LayerFigures.AcrossRepresentations("layers-category-rsa", "Category RSA: cosine distances vs the category model (Pearson r)",
                xLabels, rsa, "Pearson r with the category RDM", referenceLine: 0, size: size));

            // One small panel per category, one line per model (bands below the lines).
            var cats = r.CategoryNames;
            var panels = new List<(string, IReadOnlyList<LayerSeries>)>();
            for (int c = 0; c < cats.Count; c++)
            {
                var sel = new List<LayerSeries>();
                for (int i = 0; i < r.Models.Count; i++)
                {
                    var m = r.Models[i];
                    if (m.Selectivity is null) continue;
                    sel.Add(new LayerSeries(m.Model, m.Selectivity.Select(rep => rep[c].Value).ToArray(),
                        m.Selectivity.Select(rep => rep[c].Lower).ToArray(), m.Selectivity.Select(rep => rep[c].Upper).ToArray(), ColorIndex: i));
                }
                panels.Add((cats[c], sel));
            }
            figs.Add(LayerFigures.Panels("layers-selectivity",
                "Category selectivity (within − between mean cosine) with 95% bootstrap bands", xLabels, panels, "selectivity",
                referenceLine: 0, size: size));
        }
        foreach (var m in r.Models.Where(m => m.Mds.Count > 0))
            figs.Add(LayerFigures.MdsPanels($"layers-mds-{Simile.Data.OutputPath.SafeName(m.Model)}", $"{m.Model}: classical MDS of cosine distances",
                m.Mds, m.MdsLabels, r.Words.Words, r.Words.Categories, size));
        return figs;
    }

    /// <summary>The whole page.</summary>
    public static string Html(LayerAnalysisResult r, IReadOnlyList<Figure> figures, string? targetsHtml = null)
    {
        var sb = new StringBuilder();
        HtmlPage.Begin(sb, "Simile layers: " + string.Join(", ", r.Models.Select(m => m.Model)))
          .Append($"<h1>Through the layers: {H(string.Join(" and ", r.Models.Select(m => m.Model)))} on {r.Words.Count} words</h1>\n")
          .Append(targetsHtml ?? "")
          .Append(HtmlSection(r, figures, headingLevel: 2));
        return HtmlPage.End(sb).ToString();
    }

    /// <summary>Headings of the layer section: plain on its own page, with a "Layers: " prefix where embedded beside part 1.</summary>
    private static string Heading(string text, string? prefix) => prefix is null ? text : prefix + char.ToLowerInvariant(text[0]) + text[1..];

    /// <summary>The report body (no html/head), for embedding in a larger page such as the demo report.</summary>
    /// <param name="folder">Where the section's files are relative to the page ("layers/" in the demo report; "" on its own page).</param>
    /// <param name="headingPrefix">Prefix of its headings (e.g. "Layers: ") so they differ from the page's other sections.</param>
    public static string HtmlSection(LayerAnalysisResult r, IReadOnlyList<Figure> figures, int headingLevel = 2, string folder = "",
        string? headingPrefix = null)
    {
        string h = $"h{headingLevel}";
        var fig = figures.ToDictionary(f => f.Name);
        var o = r.Options;
        bool normalized = o.Normalization.Kind != NormalizationKind.None;
        int n = r.Words.Count;
        var sb = new StringBuilder();

        sb.Append($"<{h}>{Heading("What was computed", headingPrefix)}</{h}>\n<p>")
          .Append("A transformer gives each word not one vector but one per stage: the token embedding (<code>token</code>), the " +
                  "embedding output (<code>0</code>) and the output of every layer (<code>1</code> … <code>L</code>; GPT-2 adds " +
                  "<code>final</code> after its last LayerNorm). ")
          .Append(o.Context.Kind switch
          {
              ContextKind.None => "Here each word was fed alone (BERT: <code>[CLS] word [SEP]</code>; GPT-2: the word with its leading space), ",
              ContextKind.Templates => $"Here each word was placed into {o.Context.Templates.Count} sentence template(s) " +
                                       $"({string.Join("; ", o.Context.Templates.Select(t => "<q>" + H(t) + "</q>"))}) and its vectors averaged over them, ",
              _ => $"Here each word's vectors were averaged over its whole-word occurrences in the corpus <code>{H(o.Context.CorpusName ?? "")}</code> " +
                   $"(at most {o.Context.MaxContexts} each; {CountSummary(r)}), ",
          })
          .Append($"reading the word's own tokens by their character positions (a word split into several tokens: {H(o.Subword.ToString().ToLowerInvariant())} of its pieces). ")
          .Append($"At every representation the cosine similarity of all {n * (n - 1L) / 2:N0} word pairs gives that stage's geometry, and " +
                  "<strong>RSA</strong> (Pearson r between two such similarity matrices) compares two stages — of the same model or of two models, " +
                  "whose widths need not match.</p>\n");
        if (normalized)
            sb.Append($"<p>Before any similarity, every representation was normalised: <code>{H(o.Normalization.ToString())}</code> " +
                      (o.Normalization.Kind switch
                      {
                          NormalizationKind.Center => "(each feature's mean over the words subtracted).",
                          NormalizationKind.ZScore => "(each feature centred and divided by its standard deviation over the words).",
                          _ => $"(features centred, then the top {o.Normalization.Components} principal component(s) projected out).",
                      }) + " The tables below show its effect.</p>\n");

        // Grids.
        sb.Append($"<{h}>Which layers match</{h}>\n<p>")
          .Append("Each grid cell is the RSA between one representation and another; the outlined cell is the best-matching pair. ")
          .Append("<strong>Picking the maximum of a grid is biased upward</strong>: with many cells, the largest one is high partly because it " +
                  "was chosen, so its ordinary p-value is too optimistic. The p-value reported for it is therefore calibrated on the maximum: ")
          .Append(o.Permutations > 0
              ? $"the words of one side were shuffled {o.Permutations:N0} times, the <em>whole grid</em> was recomputed each time and its " +
                "maximum kept; p is the share of shuffles whose maximum reached the observed best value, (k + 1)/(N + 1). "
              : "(no permutations were run, so no p-values). ")
          .Append($"All random draws come from seed {o.Seed}.</p>\n");
        sb.Append("<table>\n<tr><th>grid</th><th>best pair</th><th>RSA r</th><th>max-calibrated p</th></tr>\n");
        foreach (var m in r.Models)
            sb.Append($"<tr><td>{H(m.Model)} (within)</td><td>{H(m.Within.RowLabels[m.Within.BestRow])} – {H(m.Within.ColumnLabels[m.Within.BestColumn])}</td>" +
                      $"<td class=\"num\">{F(m.Within.BestValue)}</td><td class=\"num\">{PValue.Value(m.Within.MaxPValue, m.Within.Permutations)}</td></tr>\n");
        foreach (var g in r.Across)
            sb.Append($"<tr><td>{H(g.RowModel)} × {H(g.ColumnModel)}</td><td>{H(g.RowLabels[g.BestRow])} – {H(g.ColumnLabels[g.BestColumn])}</td>" +
                      $"<td class=\"num\">{F(g.BestValue)}</td><td class=\"num\">{PValue.Value(g.MaxPValue, g.Permutations)}</td></tr>\n");
        sb.Append("</table>\n");
        sb.Append("<p class=\"caption\">Within one model the diagonal is 1 by construction, so its best pair is the best pair of two different representations; " +
                  "neighbouring layers are usually the most alike.</p>\n");
        foreach (var g in r.Across) Img(sb, fig, folder, $"layers-across-{Simile.Data.OutputPath.SafeName(g.RowModel)}-{Simile.Data.OutputPath.SafeName(g.ColumnModel)}");
        foreach (var m in r.Models) Img(sb, fig, folder, $"layers-within-{Simile.Data.OutputPath.SafeName(m.Model)}");

        // Anisotropy.
        sb.Append($"<{h}>Anisotropy</{h}>\n<p>")
          .Append("Contextual vectors are <strong>anisotropic</strong>: they crowd into a narrow cone, so even unrelated words have a large cosine " +
                  "similarity, often growing in the upper layers (Ethayarajh 2019). That common offset is not about meaning, and it compresses every " +
                  "similarity into a small range. The table gives the mean cosine over all word pairs (0 would be isotropic). ")
          .Append(normalized ? "Centring or removing the top principal components takes the shared direction out; compare the columns." :
                               "Rerun with <code>--normalize center</code> or <code>--normalize remove-pcs:K</code> to see how much of the structure survives without it.")
          .Append("</p>\n");
        sb.Append("<table>\n<tr><th>model</th><th>representation</th><th>mean pairwise cosine</th>")
          .Append(normalized ? $"<th>after {H(o.Normalization.ToString())}</th>" : "").Append("</tr>\n");
        foreach (var m in r.Models)
            for (int i = 0; i < m.Labels.Count; i++)
                sb.Append($"<tr><td>{H(m.Model)}</td><td>{H(m.Labels[i])}</td><td class=\"num\">{F(m.AnisotropyRaw[i])}</td>")
                  .Append(normalized ? $"<td class=\"num\">{F(m.Anisotropy[i])}</td>" : "").Append("</tr>\n");
        sb.Append("</table>\n");
        Img(sb, fig, folder, "layers-anisotropy");

        // Categories.
        if (r.Models.Any(m => m.CategoryRsa is not null))
        {
            var cats = r.CategoryNames;
            sb.Append($"<{h}>Categories</{h}>\n<p>")
              .Append($"The category model says two words are alike (0) when they share a category ({string.Join(", ", cats.Select(H))}) and unlike (1) otherwise. " +
                      "<strong>Category RSA</strong> is the Pearson r between a representation's cosine distances and this model; its p-value shuffles the " +
                      $"category labels {o.Permutations:N0} times. <strong>Selectivity</strong> of a category is the mean cosine similarity among its words minus " +
                      "their mean similarity to the other categories' words; the 95% band resamples words within each category " +
                      $"({o.Bootstrap:N0} resamples, pairs of a word with its own copy left out).</p>\n");
            sb.Append("<table>\n<tr><th>model</th><th>representation</th><th>category RSA r</th><th>p</th>")
              .Append(normalized ? "<th>r before normalisation</th>" : "");
            foreach (var c in cats) sb.Append($"<th>selectivity: {H(c)} [95%]</th>");
            sb.Append("</tr>\n");
            foreach (var m in r.Models.Where(m => m.CategoryRsa is not null))
                for (int i = 0; i < m.Labels.Count; i++)
                {
                    var cr = m.CategoryRsa![i];
                    sb.Append($"<tr><td>{H(m.Model)}</td><td>{H(m.Labels[i])}</td><td class=\"num\">{F(cr.Pearson)}</td><td class=\"num\">{PValue.Value(cr.PValue, cr.Permutations)}</td>");
                    if (normalized) sb.Append($"<td class=\"num\">{F(m.CategoryRsaRaw![i].Pearson)}</td>");
                    foreach (var s in m.Selectivity![i])
                        sb.Append($"<td class=\"num\">{F(s.Value)} [{F(s.Lower)}, {F(s.Upper)}]</td>");
                    sb.Append("</tr>\n");
                }
            sb.Append("</table>\n");
            Img(sb, fig, folder, "layers-category-rsa");
            Img(sb, fig, folder, "layers-selectivity");
        }

        if (r.Models.Any(m => m.Mds.Count > 0))
        {
            sb.Append($"<{h}>Maps</{h}>\n<p>Classical MDS places the words in two dimensions so that their distances approximate the cosine distances " +
                      "of each representation (double-centred −½D², top two eigenvectors); each panel's title gives the share of variance its two " +
                      "dimensions explain. Axes are arbitrary (any rotation or reflection is the same map), so each panel is turned (orthogonal " +
                      "Procrustes: rotation or reflection, no scaling) to match the panel before it; what matters is which words sit together. " +
                      "Words are labelled where a label fits; point at a dot to read its word.</p>\n");
            foreach (var m in r.Models) Img(sb, fig, folder, $"layers-mds-{Simile.Data.OutputPath.SafeName(m.Model)}");
        }

        if (r.Notes.Count > 0)
        {
            sb.Append($"<{h}>{Heading("Notes", headingPrefix)}</{h}>\n<ul>\n");
            foreach (var note in r.Notes) sb.Append("<li>").Append(H(note)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
        sb.Append($"<{h}>{Heading("Settings", headingPrefix)}</{h}>\n<table>\n")
          .Append($"<tr><td>models</td><td class=\"text\">{H(string.Join(", ", r.Models.Select(m => $"{m.Model} ({m.Labels.Count} representations, {m.Stack.Sets[0].Dims} dims)")))}</td></tr>\n")
          .Append($"<tr><td>context</td><td class=\"text\">{H(o.Context.ToString())}</td></tr>\n")
          .Append($"<tr><td>subword pooling</td><td>{H(o.Subword.ToString().ToLowerInvariant())}</td></tr>\n")
          .Append($"<tr><td>normalisation</td><td>{H(o.Normalization.ToString())}</td></tr>\n")
          .Append($"<tr><td>permutations / bootstrap / seed</td><td>{o.Permutations} / {o.Bootstrap} / {o.Seed}</td></tr>\n")
          .Append($"<tr><td>time</td><td>{r.Elapsed.TotalSeconds:0.0} s (analysis after the forward passes)</td></tr>\n")
          .Append("</table>\n")
          .Append($"<p class=\"caption\">Files of this part (in <code>{(folder.Length == 0 ? "the folder of this page" : H(folder))}</code>): " +
                  $"<a href=\"{H(folder)}results.json\">results.json</a> (all numbers of the layer analysis) and every figure as PNG and SVG.</p>\n");
        return sb.ToString();
    }

    private static string CountSummary(LayerAnalysisResult r)
    {
        var counts = r.Models[0].Stack.ContextCounts;
        return $"contexts per word {counts.Min()}–{counts.Max()}, mean {counts.Average():0.0}";
    }

    private static void Img(StringBuilder sb, Dictionary<string, Figure> fig, string folder, string name)
    {
        if (fig.TryGetValue(name, out var f)) HtmlPage.Figure(sb, f, folder, nameSvg: true);
    }

    internal static string H(string s) => HtmlPage.H(s);
    internal static string F(double v) => HtmlPage.F(v);
}
