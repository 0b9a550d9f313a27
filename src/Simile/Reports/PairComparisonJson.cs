using System.Text.Json;
using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Reports;

/// <summary>
/// The JSON of <c>simile compare</c> (<see cref="PairComparisonResult"/>): <c>{"items", "features": [dA, dB], "rdm",
/// "rsa", "cka", "procrustes", "direct_correlation", ["measures",] "permutation", "bootstrap"}</c> in that order, a block
/// null when it was not asked for, NaN written as null (the contract in the README, "simile compare").
/// </summary>
public static class PairComparisonJson
{
    public static string Text(PairComparisonResult r, bool indented = true) => JsonOutput.Text(w => Write(w, r), indented);

    public static void Write(Utf8JsonWriter w, PairComparisonResult r)
    {
        w.WriteStartObject();
        w.WriteNumber("items", r.Items);
        w.WriteStartArray("features");
        w.WriteNumberValue(r.FeaturesA);
        w.WriteNumberValue(r.FeaturesB);
        w.WriteEndArray();
        w.WriteString("rdm", r.Rdm.Name());

        if (r.Rsa is null) w.WriteNull("rsa");
        else
        {
            w.WriteStartObject("rsa");
            foreach (var s in r.Rsa) JsonOutput.Number(w, s.Measure.Name(), s.Value);
            w.WriteEndObject();
        }

        if (r.Cka is null) w.WriteNull("cka");
        else
        {
            w.WriteStartObject("cka");
            JsonOutput.Number(w, "linear", r.Cka.Linear);
            JsonOutput.Number(w, "linear_debiased", r.Cka.LinearDebiased);
            w.WriteEndObject();
        }

        if (r.Procrustes is null) w.WriteNull("procrustes");
        else
        {
            w.WriteStartObject("procrustes");
            JsonOutput.Number(w, "angular", r.Procrustes.Angular);
            w.WriteEndObject();
        }

        if (r.DirectCorrelation is null) w.WriteNull("direct_correlation");
        else
        {
            w.WriteStartObject("direct_correlation");
            JsonOutput.Number(w, "mean", r.DirectCorrelation.Mean);
            w.WriteStartArray("per_item");
            foreach (double v in r.DirectCorrelation.PerItem) JsonOutput.Value(w, v);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (r.Measures is not null) // only when --measures names a registry measure: the object is unchanged otherwise
        {
            w.WriteStartObject("measures");
            foreach (var (name, value) in r.Measures) JsonOutput.Number(w, name, value);
            w.WriteEndObject();
        }

        if (r.Permutation is null) w.WriteNull("permutation");
        else
        {
            w.WriteStartObject("permutation");
            w.WriteNumber("n", r.Permutation.N);
            w.WriteNumber("seed", r.Permutation.Seed);
            JsonOutput.Number(w, "p_pearson", r.Permutation.PPearson);
            JsonOutput.Number(w, "p_spearman", r.Permutation.PSpearman);
            if (r.MeasurePermutations is not null)
            {
                w.WriteStartObject("p_measures");
                foreach (var p in r.MeasurePermutations) JsonOutput.Number(w, p.Measure, p.PValue);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        if (r.Bootstrap is null) w.WriteNull("bootstrap");
        else
        {
            w.WriteStartObject("bootstrap");
            w.WriteNumber("n", r.Bootstrap.N);
            w.WriteNumber("seed", r.Bootstrap.Seed);
            w.WriteStartArray("pearson_ci95");
            JsonOutput.Value(w, r.Bootstrap.PearsonLower);
            JsonOutput.Value(w, r.Bootstrap.PearsonUpper);
            w.WriteEndArray();
            if (r.MeasureBootstraps is not null)
            {
                w.WriteStartObject("measures_ci95");
                foreach (var b in r.MeasureBootstraps)
                {
                    w.WriteStartArray(b.Measure);
                    JsonOutput.Value(w, b.Lower);
                    JsonOutput.Value(w, b.Upper);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
