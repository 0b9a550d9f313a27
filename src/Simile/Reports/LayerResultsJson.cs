using System.Text;
using System.Text.Json;
using Simile.Analyses.Layers;
using static Simile.Data.JsonOutput;

namespace Simile.Reports;

/// <summary>
/// results.json of <c>simile layers</c>. Required keys: <c>"representations"</c> (the first model's labels;
/// <c>"representations_by_model"</c> gives every model's), <c>"within": {MODEL: [[r]]}</c>,
/// <c>"across": {"A|B": [[r]]}</c> (rows A, columns B), <c>"category_rsa": {MODEL: [{"representation","pearson","p_value"}]}</c>,
/// <c>"selectivity": {MODEL: {CATEGORY: [{"representation","value","ci95": [lo, hi]}]}}</c>,
/// <c>"anisotropy": {MODEL: [mean pairwise cosine]}</c>; plus best pairs with their max-calibrated p-values, the
/// values before normalisation, MDS coordinates, context counts and the settings. NaN is written as null.
/// </summary>
public static class LayerResultsJson
{
    /// <param name="targets">Comparisons with targets (<c>--target</c>), written as "targets" (see <see cref="TargetResultsJson"/>).</param>
    public static string Write(LayerAnalysisResult r, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null)
    {
        return Document(w =>
        {
            var o = r.Options;
            w.WriteStartObject();
            w.WriteString("analysis", "layers");
            StringArray(w, "representations", r.Models[0].Labels);
            w.WriteStartObject("representations_by_model");
            foreach (var m in r.Models) StringArray(w, m.Model, m.Labels);
            w.WriteEndObject();
            StringArray(w, "models", r.Models.Select(m => m.Model).ToList());
            StringArray(w, "words", r.Words.Words);
            w.WriteStartArray("categories");
            foreach (var c in r.Words.Categories) { if (c is null) w.WriteNullValue(); else w.WriteStringValue(c); }
            w.WriteEndArray();

            w.WriteStartObject("settings");
            w.WriteString("context", o.Context.Name);
            if (o.Context.Kind == ContextKind.Templates) StringArray(w, "templates", o.Context.Templates);
            if (o.Context.Kind == ContextKind.Corpus)
            {
                w.WriteString("corpus", o.Context.CorpusName);
                w.WriteNumber("max_contexts", o.Context.MaxContexts);
            }
            w.WriteString("subword", o.Subword.ToString().ToLowerInvariant());
            w.WriteString("normalize", o.Normalization.ToString());
            w.WriteString("similarity", "cosine");
            w.WriteString("rsa_measure", "pearson");
            w.WriteString("grid_measure", o.Measure ?? "pearson");
            w.WriteNumber("permutations", o.Permutations);
            w.WriteNumber("bootstrap", o.Bootstrap);
            w.WriteNumber("seed", o.Seed);
            w.WriteEndObject();

            w.WriteStartObject("context_counts");
            foreach (var m in r.Models)
            {
                w.WriteStartObject(m.Model);
                for (int i = 0; i < m.Stack.WordCount; i++) w.WriteNumber(m.Stack.Words[i], m.Stack.ContextCounts[i]);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("within");
            foreach (var m in r.Models) Grid(w, m.Model, m.Within);
            w.WriteEndObject();
            w.WriteStartObject("within_best");
            foreach (var m in r.Models) Best(w, m.Model, m.Within);
            w.WriteEndObject();

            w.WriteStartObject("across");
            foreach (var g in r.Across) Grid(w, Key(g), g);
            w.WriteEndObject();
            w.WriteStartObject("across_best");
            foreach (var g in r.Across) Best(w, Key(g), g);
            w.WriteEndObject();
            w.WriteStartObject("across_p_max_adjusted");
            foreach (var g in r.Across) Rows(w, Key(g), g.MaxAdjustedPValues, g.Rows, g.Columns);
            w.WriteEndObject();
            w.WriteStartObject("across_p_uncorrected");
            foreach (var g in r.Across) Rows(w, Key(g), g.CellPValues, g.Rows, g.Columns);
            w.WriteEndObject();

            w.WriteStartObject("anisotropy");
            foreach (var m in r.Models) NumberArray(w, m.Model, m.Anisotropy);
            w.WriteEndObject();
            w.WriteStartObject("anisotropy_before_normalization");
            foreach (var m in r.Models) NumberArray(w, m.Model, m.AnisotropyRaw);
            w.WriteEndObject();

            if (r.Models.Any(m => m.CategoryRsa is not null))
            {
                StringArray(w, "category_names", r.CategoryNames);
                w.WriteStartObject("category_rsa");
                foreach (var m in r.Models.Where(m => m.CategoryRsa is not null)) CategoryRsa(w, m.Model, m.CategoryRsa!);
                w.WriteEndObject();
                w.WriteStartObject("category_rsa_before_normalization");
                foreach (var m in r.Models.Where(m => m.CategoryRsa is not null)) CategoryRsa(w, m.Model, m.CategoryRsaRaw ?? m.CategoryRsa!);
                w.WriteEndObject();
                w.WriteStartObject("selectivity");
                foreach (var m in r.Models.Where(m => m.Selectivity is not null))
                {
                    w.WriteStartObject(m.Model);
                    var cats = m.Selectivity![0].Select(s => s.Category).ToList();
                    for (int c = 0; c < cats.Count; c++)
                    {
                        w.WriteStartArray(cats[c]);
                        for (int rep = 0; rep < m.Selectivity.Count; rep++)
                        {
                            var s = m.Selectivity[rep][c];
                            w.WriteStartObject();
                            w.WriteString("representation", s.Representation);
                            Number(w, "value", s.Value);
                            w.WritePropertyName("ci95");
                            w.WriteStartArray(); Value(w, s.Lower); Value(w, s.Upper); w.WriteEndArray();
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("category_rsa");
                w.WriteNull("selectivity");
            }

            w.WriteStartObject("mds");
            foreach (var m in r.Models)
            {
                w.WriteStartObject(m.Model);
                for (int k = 0; k < m.Mds.Count; k++)
                {
                    w.WriteStartArray(m.MdsLabels[k]);
                    for (int i = 0; i < m.Mds[k].N; i++) { w.WriteStartArray(); Value(w, m.Mds[k].X(i)); Value(w, m.Mds[k].Y(i)); w.WriteEndArray(); }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();

            StringArray(w, "notes", r.Notes);
            w.WriteNumber("elapsed_seconds", Math.Round(r.Elapsed.TotalSeconds, 3));
            if (targets is not null) TargetResultsJson.Targets(w, targets);
            w.WriteEndObject();
        });
    }

    /// <summary>"A|B" for a grid across models.</summary>
    public static string Key(RsaGrid g) => $"{g.RowModel}|{g.ColumnModel}";

    private static void Grid(Utf8JsonWriter w, string name, RsaGrid g) => Rows(w, name, g.Values, g.Rows, g.Columns);

    private static void Rows(Utf8JsonWriter w, string name, double[] values, int rows, int cols)
    {
        w.WriteStartArray(name);
        for (int r = 0; r < rows; r++)
        {
            w.WriteStartArray();
            for (int c = 0; c < cols; c++) Value(w, values[r * cols + c]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void Best(Utf8JsonWriter w, string name, RsaGrid g)
    {
        w.WriteStartObject(name);
        w.WriteString("row", g.RowLabels[g.BestRow]);
        w.WriteString("column", g.ColumnLabels[g.BestColumn]);
        Number(w, "value", g.BestValue);
        Number(w, "p_value_max", g.MaxPValue);
        w.WriteNumber("permutations", g.Permutations);
        w.WriteEndObject();
    }

    private static void CategoryRsa(Utf8JsonWriter w, string name, IReadOnlyList<CategoryRsa> list)
    {
        w.WriteStartArray(name);
        foreach (var c in list)
        {
            w.WriteStartObject();
            w.WriteString("representation", c.Representation);
            Number(w, "pearson", c.Pearson);
            Number(w, "p_value", c.PValue);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
