using System.Text;
using Simile.Analyses.Targets;

namespace Simile.Reports;

/// <summary>
/// The report section on targets: per target, what it is, its coverage (pairs used of all, the words each model lacks),
/// the table of values with p-values and intervals, the noise ceiling, the comparison with the best representation, and
/// its figures. <see cref="Page"/> wraps the section as a whole report.html (rsa with targets and no word list).
/// </summary>
public static class TargetReport
{
    public static string Page(IReadOnlyList<string> models, IReadOnlyList<TargetResult> targets, IReadOnlyList<Figure> figures)
    {
        var sb = new StringBuilder();
        HtmlPage.Begin(sb, "Simile: " + string.Join(", ", models) + " against people and brains");
        sb.Append($"<h1>How human-like are {H(string.Join(", ", models))}?</h1>\n");
        sb.Append(Section(targets, figures, headingLevel: 2, intro: false));
        return HtmlPage.End(sb).ToString();
    }

    public static string Section(IReadOnlyList<TargetResult> targets, IReadOnlyList<Figure> figures, int headingLevel = 2, bool intro = true)
    {
        var fig = figures.ToDictionary(f => f.Name);
        string h = "h" + headingLevel;
        var sb = new StringBuilder();
        if (intro) sb.Append($"<{h}>Compared with people and brains</{h}>\n");
        sb.Append("<p>Each target is a list of word pairs with human similarity ratings, or one dissimilarity matrix (RDM) per subject. ")
          .Append("A model's value of a pair is the cosine similarity of the two word vectors (for RDMs: 1 − cosine); the table gives the ")
          .Append("rank or linear correlation with the target over the pairs whose words the model has (with several subjects: the mean over ")
          .Append("subjects). The noise ceiling says how well the best possible model could do given how much the subjects agree with each other: ")
          .Append("the upper bound compares each subject with the mean of all, the lower bound with the mean of the others. The p-value permutes ")
          .Append("the model's word labels; the 95 % interval resamples words (and subjects).</p>\n");
        foreach (var t in targets)
        {
            sb.Append($"<{h}>Target {H(t.Target.Name)}</{h}>\n<p>")
              .Append(t.Target.Kind == TargetKind.Pairs
                  ? $"{t.Target.PairCount} rated word pairs over {t.Target.Words.Count} words"
                  : $"{t.Target.SubjectCount} subject RDM{(t.Target.SubjectCount == 1 ? "" : "s")} over {t.Target.Words.Count} words ({t.Target.PairCount} pairs)")
              .Append($" from {H(string.Join(", ", t.Target.Files.Select(Path.GetFileName)))}; measure {H(t.MeasureName)}. ");
            sb.Append(t.NoiseCeiling is { } nc
                ? $"Noise ceiling: {F(nc.Lower)} (lower) to {F(nc.Upper)} (upper).</p>\n"
                : "No noise ceiling (it needs two or more subjects).</p>\n");
            sb.Append("<div class=\"table\"><table><tr><th>model</th><th>representation</th><th>pairs used</th><th>value</th><th>p</th><th>95 % interval</th></tr>\n");
            for (int i = 0; i < t.Results.Count; i++)
            {
                var r = t.Results[i];
                string best = i == t.Best ? " <strong>(best)</strong>" : "";
                sb.Append($"<tr><td>{H(r.Model)}</td><td>{H(r.Representation)}{best}</td><td>{r.PairsUsed} / {t.Target.PairCount}</td><td>{F(r.Value)}</td>")
                  .Append($"<td>{(r.PValue is double p ? H(PValue.Value(p, t.Options.Permutations)) : "–")}</td>")
                  .Append($"<td>{(r.Lower is double lo && r.Upper is double hi ? $"[{F(lo)}, {F(hi)}]" : "–")}</td></tr>\n");
            }
            sb.Append("</table></div>\n");
            foreach (var g in t.Results.GroupBy(r => r.Model))
            {
                var missing = g.First().MissingWords;
                sb.Append("<p>Coverage of ").Append(H(g.Key)).Append(": ")
                  .Append($"{g.First().PairsUsed} of {t.Target.PairCount} pairs; ")
                  .Append(missing.Count == 0 ? "every word found." : $"{missing.Count} word{(missing.Count == 1 ? "" : "s")} missing: {H(string.Join(", ", missing))}.")
                  .Append("</p>\n");
            }
            if (t.Comparisons.Count > 0)
            {
                var b = t.Results[t.Best];
                sb.Append($"<p>Against the best ({H(b.Model)} {H(b.Representation)}): paired bootstrap of the difference, p-values adjusted for the ")
                  .Append($"{t.Comparisons.Count} comparisons (Benjamini–Hochberg).</p>\n")
                  .Append("<div class=\"table\"><table><tr><th>model</th><th>representation</th><th>difference</th><th>95 % interval</th><th>p</th><th>p (FDR)</th></tr>\n");
                foreach (var c in t.Comparisons)
                    sb.Append($"<tr><td>{H(c.Model)}</td><td>{H(c.Representation)}</td><td>{F(c.Difference)}</td><td>[{F(c.Lower)}, {F(c.Upper)}]</td>")
                      .Append($"<td>{F(c.PValue)}</td><td>{F(c.PValueFdr)}</td></tr>\n");
                sb.Append("</table></div>\n");
            }
            foreach (var suffix in new[] { "-layers", "-models", "-scatter" })
                if (fig.TryGetValue(TargetFigures.FileStem(t) + suffix, out var f)) HtmlPage.Figure(sb, f);
        }
        return sb.ToString();
    }

    private static string H(string s) => HtmlPage.H(s);
    private static string F(double v) => HtmlPage.F(v);
}
