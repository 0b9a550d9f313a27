using System.Text;
using System.Text.Json;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Similarity;
using static Simile.Data.JsonOutput;

namespace Simile.Reports;

/// <summary>
/// results.json of the seed analysis. The required shape is
/// <c>{"words", "categories", "rdm", "models": [{"name","vocab_size","dims","source"}], "pairs": [{"a","b",
/// "rsa": {"pearson","spearman","p_value","ci95": [lo, hi]}, "direct_correlation": {"mean","per_word"} | null}],
/// "rotation_control": {"model","direct_correlation_mean","rsa_pearson"}}</c>; p_value is the permutation p of
/// Pearson. Extra keys carry the settings and notes. NaN and absent values are written as null.
/// </summary>
public static class SeedResultsJson
{
    /// <param name="partTwoResults">When the run has a second part with its own results.json (the demo's layer analysis),
    /// its path relative to this file, written as "part2_results".</param>
    /// <param name="targets">Comparisons with targets (<c>--target</c>), written as "targets" (see <see cref="TargetResultsJson"/>).</param>
    public static string Write(SeedAnalysisResult r, string? partTwoResults = null, IReadOnlyList<Simile.Analyses.Targets.TargetResult>? targets = null)
    {
        return Document(w =>
        {
            w.WriteStartObject();
            WordsAndKind(w, r.Words, r.Kind);

            Models(w, r.Models.Select(m => m.Model));

            w.WriteStartArray("pairs");
            foreach (var p in r.Pairs)
            {
                PairRsaStart(w, p.A, p.B, p.Pearson, p.Spearman, p.PearsonTest?.PValue);
                w.WritePropertyName("ci95");
                if (p.PearsonInterval is { } ci)
                {
                    w.WriteStartArray();
                    Value(w, ci.Lower);
                    Value(w, ci.Upper);
                    w.WriteEndArray();
                }
                else w.WriteNullValue();
                Number(w, "spearman_p_value", p.SpearmanTest?.PValue);
                w.WriteNumber("permutations", r.Options.Permutations);
                w.WriteNumber("bootstrap_resamples", r.Options.BootstrapResamples);
                w.WriteEndObject();
                DirectCorrelationOf(w, p.Direct, p.DirectUndefinedReason, p.SharedLineage);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            RotationControl(w, r.Rotation);

            w.WriteNumber("seed", r.Options.Seed);
            w.WriteString("subword", r.Options.Subword.ToString().ToLowerInvariant());
            w.WriteStartArray("skipped_words");
            foreach (var s in r.Selection?.Skipped ?? [])
            {
                w.WriteStartObject();
                w.WriteString("word", s.Word);
                w.WriteStartArray("missing_in");
                foreach (var m in s.MissingIn) w.WriteStringValue(m);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            StringArray(w, "notes", r.Notes);
            if (partTwoResults is not null) w.WriteString("part2_results", partTwoResults);
            if (targets is not null) TargetResultsJson.Targets(w, targets);
            w.WriteEndObject();
        });
    }

    /// <summary>The head of every part-1 results.json: "words", "categories" (one per word, null where none) and "rdm".</summary>
    /// <summary>Opens a pair object and its "rsa" object: "a", "b", then "pearson", "spearman", "p_value".</summary>
    internal static void PairRsaStart(Utf8JsonWriter w, string a, string b, double pearson, double spearman, double? p)
    {
        w.WriteStartObject();
        w.WriteString("a", a);
        w.WriteString("b", b);
        w.WriteStartObject("rsa");
        Number(w, "pearson", pearson);
        Number(w, "spearman", spearman);
        Number(w, "p_value", p);
    }

    internal static void WordsAndKind(Utf8JsonWriter w, Simile.Data.WordList words, DissimilarityKind kind)
    {
        w.WriteStartArray("words");
        foreach (var word in words.Words) w.WriteStringValue(word);
        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (var c in words.Categories) { if (c is null) w.WriteNullValue(); else w.WriteStringValue(c); }
        w.WriteEndArray();
        w.WriteString("rdm", kind.Name());
    }
    /// <summary>"models": [{"name", "vocab_size", "dims", "source", "architecture"}], shared with the whole-vocabulary results.</summary>
    internal static void Models(Utf8JsonWriter w, IEnumerable<ModelSummary> models)
    {
        w.WriteStartArray("models");
        foreach (var m in models)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteNumber("vocab_size", m.VocabularySize);
            w.WriteNumber("dims", m.Dims);
            w.WriteString("source", m.Source);
            w.WriteString("architecture", m.Architecture);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>"direct_correlation": {"mean", "per_word"} | null, the note when it is undefined, and "shared_lineage".</summary>
    internal static void DirectCorrelationOf(Utf8JsonWriter w, DirectCorrelationResult? direct, string? undefinedReason, bool sharedLineage)
    {
        w.WritePropertyName("direct_correlation");
        if (direct is not null)
        {
            w.WriteStartObject();
            Number(w, "mean", direct.Mean);
            NumberArray(w, "per_word", direct.PerItem);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        if (undefinedReason is not null) w.WriteString("direct_correlation_note", undefinedReason);
        w.WriteBoolean("shared_lineage", sharedLineage);
    }

    /// <summary>"rotation_control": {"model", "direct_correlation_mean", "rsa_pearson", "expected_spread"}.</summary>
    internal static void RotationControl(Utf8JsonWriter w, RotationControlResult rotation)
    {
        w.WriteStartObject("rotation_control");
        w.WriteString("model", rotation.Model);
        Number(w, "direct_correlation_mean", rotation.DirectCorrelationMean);
        Number(w, "rsa_pearson", rotation.RsaPearson);
        Number(w, "expected_spread", rotation.ExpectedSpread);
        w.WriteEndObject();
    }
}
