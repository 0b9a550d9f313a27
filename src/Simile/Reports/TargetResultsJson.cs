using System.Text.Json;
using Simile.Analyses;
using Simile.Analyses.Targets;
using static Simile.Data.JsonOutput;

namespace Simile.Reports;

/// <summary>
/// The <c>"targets"</c> array of results.json (rsa and layers):
/// <c>[{"name", "kind": "pairs"|"rdm", "measure", "subjects", "pairs_total", "noise_ceiling": null|{"lower","upper"},
/// "results": [{"model", "representation", "pairs_used", "value", "p_value": p|null, "ci95": [lo, hi]|null}]}]</c>,
/// plus the files read, the words each model lacks, the settings, the best representation and the paired comparisons
/// with it. NaN is written as null.
/// </summary>
public static class TargetResultsJson
{
    public static void Targets(Utf8JsonWriter w, IReadOnlyList<TargetResult> targets)
    {
        w.WriteStartArray("targets");
        foreach (var t in targets) Target(w, t);
        w.WriteEndArray();
    }

    /// <summary>A results.json of a run with targets only (one model, no word list): models, settings and "targets".</summary>
    public static string Document(IReadOnlyList<ModelSummary> models, IReadOnlyList<TargetResult> targets, TargetOptions options, IReadOnlyList<string> notes)
    {
        return Simile.Data.JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("analysis", "targets");
            SeedResultsJson.Models(w, models);
            w.WriteString("similarity", "cosine");
            w.WriteString("target_measure", TargetMeasures.Name(options.Measure));
            w.WriteNumber("permutations", options.Permutations);
            w.WriteNumber("bootstrap_resamples", options.Bootstrap);
            w.WriteNumber("seed", options.Seed);
            w.WriteString("subword", options.Subword.ToString().ToLowerInvariant());
            Targets(w, targets);
            StringArray(w, "notes", notes);
            w.WriteEndObject();
        });
    }

    private static void Target(Utf8JsonWriter w, TargetResult t)
    {
        w.WriteStartObject();
        w.WriteString("name", t.Target.Name);
        w.WriteString("kind", t.Target.KindName);
        w.WriteString("measure", t.MeasureName);
        w.WriteNumber("subjects", t.Target.SubjectCount);
        w.WriteNumber("pairs_total", t.Target.PairCount);
        w.WritePropertyName("noise_ceiling");
        if (t.NoiseCeiling is { } nc)
        {
            w.WriteStartObject();
            Number(w, "lower", nc.Lower);
            Number(w, "upper", nc.Upper);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WriteStartArray("results");
        foreach (var r in t.Results)
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model);
            w.WriteString("representation", r.Representation);
            w.WriteNumber("pairs_used", r.PairsUsed);
            Number(w, "value", r.Value);
            Number(w, "p_value", r.PValue);
            w.WritePropertyName("ci95");
            if (r.Lower is { } lo && r.Upper is { } hi)
            {
                w.WriteStartArray();
                Value(w, lo);
                Value(w, hi);
                w.WriteEndArray();
            }
            else w.WriteNullValue();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        StringArray(w, "files", t.Target.Files.Select(Path.GetFileName).Select(f => f ?? ""));
        w.WriteNumber("words_total", t.Target.Words.Count);
        w.WriteStartObject("missing_words");
        foreach (var g in t.Results.GroupBy(r => r.Model)) StringArray(w, g.Key, g.First().MissingWords);
        w.WriteEndObject();
        w.WriteNumber("permutations", t.Options.Permutations);
        w.WriteNumber("bootstrap_resamples", t.Options.Bootstrap);
        w.WriteNumber("seed", t.Options.Seed);
        w.WritePropertyName("best");
        if (t.Best >= 0)
        {
            w.WriteStartObject();
            w.WriteString("model", t.Results[t.Best].Model);
            w.WriteString("representation", t.Results[t.Best].Representation);
            Number(w, "value", t.Results[t.Best].Value);
            w.WriteEndObject();
        }
        else w.WriteNullValue();
        w.WriteStartArray("compared_with_best");
        foreach (var c in t.Comparisons)
        {
            w.WriteStartObject();
            w.WriteString("model", c.Model);
            w.WriteString("representation", c.Representation);
            Number(w, "difference", c.Difference);
            w.WritePropertyName("ci95");
            w.WriteStartArray();
            Value(w, c.Lower);
            Value(w, c.Upper);
            w.WriteEndArray();
            Number(w, "p_value", c.PValue);
            Number(w, "p_value_fdr", c.PValueFdr);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
