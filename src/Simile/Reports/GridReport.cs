using System.Globalization;
using System.Text;
using Simile.Analyses.Grid;
using Simile.Analyses.Layers;
using Simile.Data;

namespace Simile.Reports;

/// <summary>
/// The outputs of a grid, written into the plan folder the same way whether the grid was merged from shards or run in
/// one process: <c>results.json</c> (every pair with every measure and its p-value), <c>grids/&lt;a&gt;--&lt;b&gt;.&lt;measure&gt;.csv</c>
/// (one representation × representation table per model pair and measure), heatmaps of the Pearson RSA grids
/// (<c>grids/&lt;a&gt;--&lt;b&gt;.png/.svg</c>, up to <see cref="MaxFigureModels"/> models) and <c>report.html</c>.
/// Nothing in them depends on how the work was split, so merged and single-process outputs are identical byte for byte.
/// </summary>
public static class GridReport
{
    public const string GridsFolder = "grids";

    /// <summary>Above this many models the report lists the best pairs instead of drawing every grid.</summary>
    public const int MaxFigureModels = 10;

    /// <summary>Renders and writes every output into the plan folder (each file atomically); returns the paths.</summary>
    public static IReadOnlyList<string> Write(GridResult r)
    {
        string folder = r.Plan.Folder ?? throw new InvalidOperationException("the plan has no folder");
        var figures = Figures(r);
        var grids = new ReportOutput(Path.Combine(folder, GridsFolder));
        foreach (var (a, b) in ModelPairs(r))
            for (int s = 0; s < r.Plan.Measures.Count; s++)
                grids.AddText($"{Stem(r, a, b)}.{r.Plan.Measures[s]}.csv", GridCsv(r, s, a, b));
        foreach (var f in figures) grids.AddFigure(f);
        var top = new ReportOutput(folder);
        top.AddText("report.html", Html(r, figures));
        top.AddText("results.json", ResultsJson(r));
        // Everything is rendered before the first write; the grids go first and results.json last, so results.json
        // appears only when every other output is in place.
        var written = grids.WriteAll().ToList();
        written.AddRange(top.WriteAll());
        return written;
    }

    private static IEnumerable<(int A, int B)> ModelPairs(GridResult r)
    {
        for (int a = 0; a < r.Models.Count; a++)
            for (int b = a; b < r.Models.Count; b++) yield return (a, b);
    }

    private static string Stem(GridResult r, int a, int b) => $"{Simile.Data.OutputPath.SafeName(r.Models[a].Name)}--{Simile.Data.OutputPath.SafeName(r.Models[b].Name)}";

    /// <summary>Rows: model a's representations; columns: model b's; the cell of a representation with itself is empty.</summary>
    public static string GridCsv(GridResult r, int measure, int a, int b)
    {
        var g = r.Grid(measure, a, b);
        return MatrixFile.CsvText($"{r.Models[a].Name} \\ {r.Models[b].Name}", r.Models[a].Representations,
            r.Models[b].Representations, (i, j) => g[i, j], missing: "");
    }

    /// <summary>results.json: plan hash, words, settings, models, every pair, and the best pair of each model pair.</summary>
    public static string ResultsJson(GridResult r) => JsonOutput.Document(w =>
    {
        var plan = r.Plan;
        w.WriteStartObject();
        w.WriteString("format", "simile-grid-results/1");
        w.WriteString("plan_hash", plan.Hash);
        JsonOutput.StringArray(w, "words", plan.Words.Words);
        w.WriteStartArray("categories");
        foreach (var c in plan.Words.Categories) { if (c is null) w.WriteNullValue(); else w.WriteStringValue(c); }
        w.WriteEndArray();
        JsonOutput.StringArray(w, "measures", plan.Measures);
        w.WriteStartObject("settings");
        w.WriteString("representations", plan.Representations);
        w.WriteString("context", plan.ContextSpec().ToString());
        w.WriteString("subword", plan.Subword.ToString().ToLowerInvariant());
        w.WriteString("rdm", "cosine");
        w.WriteNumber("permutations", plan.Permutations);
        w.WriteString("seed", plan.Seed.ToString(CultureInfo.InvariantCulture));
        w.WriteString("p_value", "Mantel permutation test of the Pearson RSA, one-sided, (k+1)/(N+1), seeded per pair from the seed and the pair's names");
        w.WriteEndObject();
        w.WriteStartArray("models");
        foreach (var m in r.Models)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteString("source", m.Source);
            w.WriteString("architecture", m.Architecture);
            w.WriteNumber("dims", m.Dims);
            JsonOutput.StringArray(w, "representations", m.Representations);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("pairs");
        foreach (var p in r.Pairs) GridCompare.WritePair(w, plan, p);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static IReadOnlyList<Figure> Figures(GridResult r)
    {
        int pearson = r.Plan.Measures.ToList().IndexOf("pearson");
        if (pearson < 0 || r.Models.Count > MaxFigureModels) return [];
        var list = new List<Figure>();
        foreach (var (a, b) in ModelPairs(r))
        {
            var grid = AsRsaGrid(r, pearson, a, b);
            string title = a == b
                ? $"{r.Models[a].Name}: RSA between its representations"
                : $"{r.Models[a].Name} × {r.Models[b].Name}: best {grid.RowLabels[grid.BestRow]}–{grid.ColumnLabels[grid.BestColumn]}, r = {HtmlPage.F(grid.BestValue)}";
            list.Add(LayerFigures.GridHeatmap(Stem(r, a, b), title, grid));
        }
        return list;
    }

    /// <summary>The Pearson grid of a model pair in the layer report's grid shape (per-cell p-values; the diagonal of a model with itself is 1).</summary>
    private static RsaGrid AsRsaGrid(GridResult r, int measure, int a, int b)
    {
        var g = r.Grid(measure, a, b);
        var ra = r.Models[a].Representations; var rb = r.Models[b].Representations;
        var values = new double[ra.Count * rb.Count];
        var cellP = new double[values.Length];
        Array.Fill(cellP, double.NaN);
        foreach (var p in r.Pairs)
        {
            if (p.A.ModelIndex == a && p.B.ModelIndex == b) cellP[p.A.Layer * rb.Count + p.B.Layer] = p.PValue;
            if (p.B.ModelIndex == a && p.A.ModelIndex == b) cellP[p.B.Layer * rb.Count + p.A.Layer] = p.PValue;
        }
        int bestR = 0, bestC = a == b && rb.Count > 1 ? 1 : 0;
        double best = double.NegativeInfinity;
        for (int i = 0; i < ra.Count; i++)
            for (int j = 0; j < rb.Count; j++)
            {
                values[i * rb.Count + j] = a == b && i == j ? 1.0 : g[i, j];
                if ((a != b || i < j) && g[i, j] > best) { best = g[i, j]; bestR = i; bestC = j; }
            }
        if (double.IsNegativeInfinity(best)) best = double.NaN;
        var adj = new double[values.Length];
        Array.Fill(adj, double.NaN);
        return new RsaGrid(r.Models[a].Name, r.Models[b].Name, ra, rb, a == b, values, bestR, bestC, best,
            r.Plan.Permutations, r.Plan.Seed, double.NaN, cellP, adj);
    }

    /// <summary>The self-contained report: what was computed, the best pair of every model pair, the heatmaps.</summary>
    public static string Html(GridResult r, IReadOnlyList<Figure> figures)
    {
        var plan = r.Plan;
        int n = plan.Words.Count;
        var sb = new StringBuilder();
        HtmlPage.Begin(sb, "Simile grid: " + string.Join(", ", r.Models.Select(m => m.Name)));
        sb.Append($"<h1>Comparison grid: {r.Models.Count} model(s), {r.Models.Sum(m => m.Representations.Count)} representations, {n} words</h1>\n");
        sb.Append("<h2>What was computed</h2>\n<p>Every model's words were read at each of its representations (")
          .Append(HtmlPage.H(plan.ContextSpec().ToString())).Append("; words split into several tokens: ")
          .Append(HtmlPage.H(plan.Subword.ToString().ToLowerInvariant())).Append("). Every pair of representations, within and across models (")
          .Append(r.Pairs.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" pairs), was scored with ")
          .Append(HtmlPage.H(string.Join(", ", plan.Measures))).Append(". RSA measures compare the cosine-distance matrices of the ")
          .Append((n * (n - 1L) / 2).ToString("N0", CultureInfo.InvariantCulture)).Append(" word pairs; CKA and Procrustes compare the vectors directly. ");
        if (plan.Permutations > 0)
            sb.Append($"Each pair's p-value comes from {plan.Permutations:N0} Mantel permutations of the Pearson RSA, seeded per pair from seed {plan.Seed} and the pair's names, so it does not depend on how the grid was split into shards. ");
        sb.Append("</p>\n<p>Plan hash <code>").Append(plan.Hash).Append("</code>.</p>\n");

        sb.Append("<h2>Best pair of every model pair</h2>\n<table><tr><th>model A</th><th>model B</th>");
        int first = 0;
        sb.Append($"<th>best pair by {HtmlPage.H(plan.Measures[first])}</th>");
        foreach (var m in plan.Measures) sb.Append($"<th>{HtmlPage.H(m)}</th>");
        sb.Append("<th>p</th></tr>\n");
        foreach (var (a, b) in ModelPairs(r))
        {
            GridPairResult? best = null;
            foreach (var p in r.Pairs)
            {
                bool match = (p.A.ModelIndex == a && p.B.ModelIndex == b) || (p.A.ModelIndex == b && p.B.ModelIndex == a);
                if (match && double.IsFinite(p.Values[first]) && (best is null || p.Values[first] > best.Values[first])) best = p;
            }
            sb.Append($"<tr><td>{HtmlPage.H(r.Models[a].Name)}</td><td>{HtmlPage.H(r.Models[b].Name)}</td>");
            if (best is null) { sb.Append($"<td colspan=\"{plan.Measures.Count + 2}\">–</td></tr>\n"); continue; }
            sb.Append($"<td>{HtmlPage.H(best.A.Label)} – {HtmlPage.H(best.B.Label)}</td>");
            foreach (var v in best.Values) sb.Append($"<td class=\"num\">{HtmlPage.F(v)}</td>");
            sb.Append($"<td class=\"num\">{PValue.Value(best.PValue, plan.Permutations)}</td></tr>\n");
        }
        sb.Append("</table>\n<p class=\"caption\">Every value of every pair is in <code>results.json</code>; each model pair's grid per measure is in <code>grids/</code> as CSV.</p>\n");
        if (figures.Count > 0)
        {
            sb.Append("<h2>Pearson RSA grids</h2>\n");
            foreach (var f in figures) HtmlPage.Figure(sb, f, nameSvg: true);
        }
        else if (r.Models.Count > MaxFigureModels)
            sb.Append($"<p>With more than {MaxFigureModels} models the grids are given as CSV only.</p>\n");
        return HtmlPage.End(sb).ToString();
    }
}
