using Simile.Analyses.Layers;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Models;
using Simile.Similarity;

namespace Simile.Analyses.Targets;

/// <summary>Settings of a comparison with targets (the CLI's --target-measure, --permutations, --bootstrap, --seed, --subword).</summary>
public sealed record TargetOptions
{
    public RsaMeasure Measure { get; init; } = RsaMeasure.Spearman;
    /// <summary>Permutations of the model's word labels for the p-value (0 = none).</summary>
    public int Permutations { get; init; } = 1000;
    /// <summary>Bootstrap resamples over words (and subjects) for the 95 % interval and the paired comparisons (0 = none).</summary>
    public int Bootstrap { get; init; } = 1000;
    public ulong Seed { get; init; }
    public SubwordPolicy Subword { get; init; } = SubwordPolicy.Error;
}

/// <summary>The --target-measure names.</summary>
public static class TargetMeasures
{
    public static readonly IReadOnlyList<string> Names = ["spearman", "pearson", "kendall-tau-a", "rho-a"];

    /// <summary>spearman, pearson (alias corr), kendall-tau-a (alias tau-a), rho-a.</summary>
    public static RsaMeasure Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "spearman" => RsaMeasure.Spearman,
        "pearson" or "corr" => RsaMeasure.Pearson,
        "kendall-tau-a" or "tau-a" => RsaMeasure.TauA,
        "rho-a" => RsaMeasure.RhoA,
        _ => throw new SimileException($"--target-measure '{name}' is not known",
            "use spearman (default), pearson (alias corr), kendall-tau-a (alias tau-a) or rho-a"),
    };

    public static string Name(RsaMeasure m) => m switch
    {
        RsaMeasure.Spearman => "spearman",
        RsaMeasure.Pearson => "pearson",
        RsaMeasure.TauA => "kendall-tau-a",
        RsaMeasure.RhoA => "rho-a",
        _ => m.Name(),
    };
}

/// <summary>One representation's vectors for (some of) a target's words: row w is target word <see cref="TargetWord"/>[w].</summary>
public sealed record TargetVectors(string Model, string Representation, Matrix Vectors, int[] TargetWord, IReadOnlyList<string> MissingWords);

/// <summary>One model representation compared with a target.</summary>
/// <param name="PairsUsed">Pairs whose two words the model has.</param>
/// <param name="Value">Mean over subjects of the measure (NaN when undefined).</param>
/// <param name="ModelValues">The model's value of each used pair (cosine similarity for pair targets, 1 − cosine for RDMs).</param>
/// <param name="UsedPairs">Indices of the used pairs in the target.</param>
/// <param name="Distribution">Bootstrap values (null without bootstrap); same draws for every representation.</param>
public sealed record TargetValue(string Model, string Representation, int PairsUsed, double Value, double? PValue, double? Lower, double? Upper,
    IReadOnlyList<string> MissingWords, double[] ModelValues, int[] UsedPairs, double[]? Distribution);

/// <summary>A representation against the best one on the same target: value(this) − value(best), paired bootstrap, FDR-adjusted p.</summary>
public sealed record TargetComparison(string Model, string Representation, double Difference, double Lower, double Upper, double PValue, double PValueFdr);

/// <summary>Everything computed for one target.</summary>
public sealed record TargetResult(Target Target, RsaMeasure Measure, NoiseCeilingBounds? NoiseCeiling, IReadOnlyList<TargetValue> Results,
    int Best, IReadOnlyList<TargetComparison> Comparisons, TargetOptions Options)
{
    public string MeasureName => TargetMeasures.Name(Measure);
}

/// <summary>
/// Compares model representations with targets (<see cref="TargetFile"/>). Each target is evaluated on its own words: a
/// word is looked up as written first, then lower-cased; a pair with a word a model lacks (after the subword policy) is
/// dropped and counted. The model's value of a pair is the cosine similarity of the two word vectors (pair targets) or
/// 1 − cosine (RDM targets), taken from one condensed matrix, so (a, b) and (b, a) give the same bits. The value is the
/// measure between model values and ratings, or for k subjects the mean over subjects of the per-subject measure
/// (rsatoolbox's <c>eval_fixed</c>); the noise ceiling is <see cref="Inference.NoiseCeiling"/> over all of the target's pairs.
/// </summary>
public static class TargetEvaluation
{
    /// <summary>The spelling each target word has in the model: as written, else lower-cased; null when the model lacks it.</summary>
    public static string?[] Resolve(IWordEmbeddings model, IReadOnlyList<string> words, SubwordPolicy policy)
    {
        var resolved = new string?[words.Count];
        for (int w = 0; w < words.Count; w++)
        {
            if (Usable(model.Tokenize(words[w]), policy)) resolved[w] = words[w];
            else
            {
                string lower = words[w].ToLowerInvariant();
                if (lower != words[w] && Usable(model.Tokenize(lower), policy)) resolved[w] = lower;
            }
        }
        return resolved;
    }

    private static bool Usable(WordTokens t, SubwordPolicy policy) =>
        t.Known && t.Ids.Count > 0 && (policy != SubwordPolicy.Error || t.Ids.Count == 1);

    /// <summary>Static vectors (a word-vector file, or a transformer's token embeddings) of the target's words: representation "token".</summary>
    public static TargetVectors TokenVectors(IWordEmbeddings model, Target target, SubwordPolicy policy)
    {
        var resolved = Resolve(model, target.Words, policy);
        var present = Enumerable.Range(0, resolved.Length).Where(w => resolved[w] is not null).ToArray();
        var missing = Enumerable.Range(0, resolved.Length).Where(w => resolved[w] is null).Select(w => target.Words[w]).ToList();
        var matrix = present.Length == 0 ? new Matrix(0, model.Shape.Cols)
            : model.Vectors(present.Select(w => resolved[w]!).ToList(), policy).Vectors;
        return new TargetVectors(model.Info.Name, "token", matrix, present, missing);
    }

    /// <summary>
    /// Every representation of a transformer for the words of all <paramref name="targets"/> (one pass over their union,
    /// read per <paramref name="context"/>; with a corpus, a word that does not occur in it counts as missing): per
    /// target, one <see cref="TargetVectors"/> per representation.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TargetVectors>> LayerVectors(ITransformerModel model, string name, IReadOnlyList<Target> targets,
        ContextSpec context, SubwordPolicy policy, Normalization normalization, IProgress<double>? progress = null)
    {
        var union = new List<string>();
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        var resolvedPerTarget = targets.Select(t => Resolve(model, t.Words, policy)).ToList();
        // With a corpus, a word without a whole-word occurrence has no vector: it counts as missing.
        if (context.Kind == ContextKind.Corpus)
            foreach (var resolved in resolvedPerTarget)
                for (int w = 0; w < resolved.Length; w++)
                    if (resolved[w] is { } word && ContextualVectors.ContextsFor(word, context, model.UsesLeadingSpace).Count == 0) resolved[w] = null;
        foreach (var resolved in resolvedPerTarget)
            foreach (var w in resolved)
                if (w is not null && !at.ContainsKey(w)) { at[w] = union.Count; union.Add(w); }
        RepresentationStack? stack = union.Count == 0 ? null
            : ContextualVectors.Compute(model, union, context, policy, progress, name).Normalized(normalization);
        var labels = model.RepresentationLabels;
        var result = new List<IReadOnlyList<TargetVectors>>();
        for (int t = 0; t < targets.Count; t++)
        {
            var resolved = resolvedPerTarget[t];
            var present = Enumerable.Range(0, resolved.Length).Where(w => resolved[w] is not null).ToArray();
            var missing = Enumerable.Range(0, resolved.Length).Where(w => resolved[w] is null).Select(w => targets[t].Words[w]).ToList();
            var rows = present.Select(w => at[resolved[w]!]).ToArray();
            var perRep = new List<TargetVectors>();
            for (int r = 0; r < labels.Count; r++)
                perRep.Add(new TargetVectors(name, labels[r], stack is null ? new Matrix(0, model.Shape.Cols) : stack.Sets[r].Vectors.SelectRows(rows),
                    present, missing));
            result.Add(perRep);
        }
        return result;
    }

    /// <summary>Evaluates every representation against the target, with inference per <paramref name="options"/>.</summary>
    public static TargetResult Evaluate(Target target, IReadOnlyList<TargetVectors> representations, TargetOptions options,
        IProgress<StageProgress>? progress = null)
    {
        var ceiling = Inference.NoiseCeiling.Compute(target.Subjects, options.Measure);
        var values = new List<TargetValue>();
        foreach (var rep in representations)
        {
            string stage = $"{target.Name}: {rep.Model} {rep.Representation}";
            progress?.Report(new StageProgress(stage, 0));
            values.Add(EvaluateOne(target, rep, options, FractionProgress.Of(progress, stage)));
        }
        int best = -1;
        for (int i = 0; i < values.Count; i++)
            if (double.IsFinite(values[i].Value) && (best < 0 || values[i].Value > values[best].Value)) best = i;
        var comparisons = new List<TargetComparison>();
        if (best >= 0 && values[best].Distribution is { } bestDist)
        {
            var raw = new List<(TargetValue V, PairedDifference D)>();
            for (int i = 0; i < values.Count; i++)
            {
                if (i == best || values[i].Distribution is not { } dist || !double.IsFinite(values[i].Value)) continue;
                raw.Add((values[i], PairListInference.Paired(values[i].Value - values[best].Value, bestDist, dist)));
            }
            var fdr = PairListInference.FalseDiscoveryRate(raw.Select(x => x.D.PValue).ToList());
            for (int i = 0; i < raw.Count; i++)
                comparisons.Add(new TargetComparison(raw[i].V.Model, raw[i].V.Representation, raw[i].D.Difference, raw[i].D.Lower, raw[i].D.Upper,
                    raw[i].D.PValue, fdr[i]));
        }
        return new TargetResult(target, options.Measure, ceiling, values, best, comparisons, options);
    }

    /// <summary>One representation: used pairs, value, permutation p and bootstrap interval.</summary>
    public static TargetValue EvaluateOne(Target target, TargetVectors rep, TargetOptions options, IProgress<double>? progress = null)
    {
        var data = Data(target, rep, out var used);
        var modelValues = PairListInference.ModelValues(data);
        if (used.Length < TargetFile.MinimumPairs)
            return new TargetValue(rep.Model, rep.Representation, used.Length, double.NaN, null, null, null, rep.MissingWords, modelValues, used, null);
        double value = PairListInference.Value(data, options.Measure);
        double? p = null, lo = null, hi = null;
        double[]? dist = null;
        if (options.Permutations > 0 && double.IsFinite(value))
            p = PairListInference.Permute(data, options.Measure, options.Permutations, options.Seed, progress).PValue;
        if (options.Bootstrap > 0 && double.IsFinite(value))
        {
            dist = PairListInference.BootstrapDistribution(data, options.Measure, options.Bootstrap, options.Seed);
            var (l, u) = PairListInference.Interval(dist);
            lo = l; hi = u;
        }
        return new TargetValue(rep.Model, rep.Representation, used.Length, value, p, lo, hi, rep.MissingWords, modelValues, used, dist);
    }

    /// <summary>The model's condensed values over its words and the target's pairs among them.</summary>
    public static PairListData Data(Target target, TargetVectors rep, out int[] usedPairs)
    {
        int n = rep.Vectors.Rows;
        var row = Enumerable.Repeat(-1, target.Words.Count).ToArray();
        for (int w = 0; w < rep.TargetWord.Length; w++) row[rep.TargetWord[w]] = w;
        var used = new List<int>();
        for (int p = 0; p < target.PairCount; p++)
            if (row[target.PairA[p]] >= 0 && row[target.PairB[p]] >= 0) used.Add(p);
        var usedArray = used.ToArray();
        usedPairs = usedArray;
        double[] model = n >= 2 ? Dissimilarity.CosineSimilarity(rep.Vectors) : [];
        bool rdm = target.Kind == TargetKind.Rdm;
        if (rdm) for (long k = 0; k < model.Length; k++) model[k] = 1.0 - model[k];
        var a = usedArray.Select(p => row[target.PairA[p]]).ToArray();
        var b = usedArray.Select(p => row[target.PairB[p]]).ToArray();
        var subjects = target.Subjects.Select(s => usedArray.Select(p => s[p]).ToArray()).ToList();
        return new PairListData(n, model, rdm ? 0.0 : 1.0, a, b, subjects, rep.TargetWord, target.Words.Count);
    }
}
