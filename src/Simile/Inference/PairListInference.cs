using Simile.Comparison;
using Simile.Similarity;

namespace Simile.Inference;

/// <summary>
/// A model compared with a target given as a list of word pairs with one value per pair and subject (human ratings,
/// or the upper triangle of subject RDMs).
/// </summary>
/// <param name="Words">Number of words the model has (indices 0..Words−1).</param>
/// <param name="Model">The model's value for every pair of its words, condensed over <paramref name="Words"/>.</param>
/// <param name="Diagonal">The model's value for a pair of a word with itself (cosine similarity 1, dissimilarity 0).</param>
/// <param name="A">First word of each pair.</param>
/// <param name="B">Second word of each pair.</param>
/// <param name="Subjects">Per subject, the target's value of each pair.</param>
/// <param name="TargetWord">Per model word, its index among the target's <paramref name="TargetWords"/> (what the bootstrap draws).</param>
/// <param name="TargetWords">Number of words of the whole target.</param>
public sealed record PairListData(int Words, double[] Model, double Diagonal, int[] A, int[] B, IReadOnlyList<double[]> Subjects,
    int[] TargetWord, int TargetWords)
{
    public int Pairs => A.Length;
}

/// <summary>Paired bootstrap of a difference between two representations: interval and two-sided p.</summary>
public sealed record PairedDifference(double Difference, double Lower, double Upper, double PValue);

/// <summary>
/// Inference for <see cref="PairListData"/> under a measure: the value (mean over subjects of the measure between the
/// model's pair values and the subject's), a permutation p over the model's word labels (<see cref="Permutations.Run"/>),
/// and a two-factor bootstrap over target words and subjects as rsatoolbox's <c>bootstrap_sample</c>: resample r draws
/// the target's N words with replacement (N × NextInt(N) from <see cref="SeededRandom.ForBlock"/>(seed, r), the stream of
/// <see cref="Bootstrap.Draw"/>) and then, with k ≥ 2 subjects, k subjects with replacement from the same generator; a
/// pair (u, v) of distinct words then occurs c_u·c_v times, a pair of a word with itself c_u times, and pairs of a word
/// with its own copy are left out. Deterministic for a seed whatever the thread count; the same seed draws the same
/// words and subjects for every model, so distributions of two models on one target are paired.
/// </summary>
public static class PairListInference
{
    /// <summary>Mean over subjects of the measure between model values (words relabelled by <paramref name="perm"/>) and each subject.</summary>
    public static double Value(PairListData d, RsaMeasure measure, ReadOnlySpan<int> perm = default)
    {
        var model = ModelValues(d, perm);
        double sum = 0;
        foreach (var s in d.Subjects) sum += RsaMeasures.Compute(measure, model, s);
        return sum / d.Subjects.Count;
    }

    /// <summary>The model's value of each pair, words relabelled by <paramref name="perm"/> (none: identity).</summary>
    public static double[] ModelValues(PairListData d, ReadOnlySpan<int> perm = default)
    {
        var v = new double[d.Pairs];
        bool permuted = !perm.IsEmpty;
        for (int p = 0; p < v.Length; p++)
        {
            int a = d.A[p], b = d.B[p];
            if (permuted) { a = perm[a]; b = perm[b]; }
            v[p] = a == b ? d.Diagonal : d.Model[CondensedIndex.Of(d.Words, a, b)];
        }
        return v;
    }

    /// <summary>One-sided permutation test (value at least the observed one) over the model's word labels.</summary>
    public static PermutationResult Permute(PairListData d, RsaMeasure measure, int permutations, ulong seed, IProgress<double>? progress = null)
    {
        Permutations.CheckCount(permutations);
        double observed = Value(d, measure);
        // The subjects do not move: rank them once (Spearman and rho-a rank both sides; the result is the same bits).
        var subjectRanks = measure is RsaMeasure.Spearman or RsaMeasure.RhoA ? d.Subjects.Select(s => Ranks.Average(s)).ToArray() : null;
        int atLeast = 0;
        Permutations.Run(d.Words, permutations, seed, () => new int[1],
            (_, perm, local) =>
            {
                double v = subjectRanks is null ? Value(d, measure, perm) : RankedValue(d, measure, perm, subjectRanks);
                if (Permutations.AtLeast(v, observed)) local[0]++;
            },
            local => atLeast += local[0], progress: progress);
        return new PermutationResult(measure, permutations, seed, observed, Permutations.PValue(atLeast, permutations, observed), atLeast);
    }

    private static double RankedValue(PairListData d, RsaMeasure measure, ReadOnlySpan<int> perm, double[][] subjectRanks)
    {
        var ranks = Ranks.Average(ModelValues(d, perm));
        double sum = 0;
        foreach (var rs in subjectRanks)
            sum += measure == RsaMeasure.RhoA ? RsaMeasures.RhoAFromRanks(ranks, rs) : RsaMeasures.PearsonUnchecked(ranks, rs);
        return sum / subjectRanks.Length;
    }

    /// <summary>
    /// The value on each bootstrap resample (NaN where undefined, e.g. fewer than 2 pairs drawn). Pearson, Spearman and
    /// rho-a are computed from the pair weights without building the resampled vectors: each side is sorted once, a
    /// resample's average ranks come from one pass over that order with the weights (a value repeated w times occupies
    /// w consecutive ranks), and the correlation is the weighted one. Tau-a builds the resampled vectors.
    /// </summary>
    public static double[] BootstrapDistribution(PairListData d, RsaMeasure measure, int resamples, ulong seed, IProgress<double>? progress = null)
        => BootstrapDistribution(d, measure, resamples, seed, materialize: measure == RsaMeasure.TauA, progress);

    internal static double[] BootstrapDistribution(PairListData d, RsaMeasure measure, int resamples, ulong seed, bool materialize,
        IProgress<double>? progress = null)
    {
        Bootstrap.CheckCount(resamples);
        var model = ModelValues(d);
        int[]? modelOrder = null;
        int[][]? subjectOrder = null;
        if (!materialize && measure != RsaMeasure.Pearson)
        {
            modelOrder = Order(model);
            subjectOrder = d.Subjects.Select(Order).ToArray();
        }
        return Bootstrap.Resamples(resamples, r =>
        {
            var (words, subjects) = Draw(seed, r, d.TargetWords, d.Subjects.Count);
            var c = new int[d.TargetWords];
            foreach (int w in words) c[w]++;
            long total = 0;
            var weight = new int[d.Pairs];
            for (int p = 0; p < d.Pairs; p++)
            {
                int ga = d.TargetWord[d.A[p]], gb = d.TargetWord[d.B[p]];
                weight[p] = ga == gb ? c[ga] : c[ga] * c[gb];
                total += weight[p];
            }
            if (total < 2) return double.NaN;
            double sum = 0;
            if (materialize)
            {
                var mv = Repeat(model, weight, total);
                foreach (int s in subjects) sum += RsaMeasures.Compute(measure, mv, Repeat(d.Subjects[s], weight, total));
            }
            else
            {
                bool ranked = measure != RsaMeasure.Pearson;
                var x = ranked ? WeightedRanks(model, modelOrder!, weight) : model;
                foreach (int s in subjects)
                {
                    var y = ranked ? WeightedRanks(d.Subjects[s], subjectOrder![s], weight) : d.Subjects[s];
                    sum += measure == RsaMeasure.RhoA ? WeightedRhoA(x, y, weight, total) : WeightedPearson(x, y, weight);
                }
            }
            return sum / subjects.Length;
        }, new ParallelOptions(), progress, progressEvery: 16);
    }

    /// <summary>Percentile interval (numpy's linear interpolation) of the defined values of a distribution.</summary>
    public static (double Lower, double Upper) Interval(double[] distribution, double level = 0.95)
        => PercentileInterval.Of(distribution, level);

    /// <summary>
    /// Paired bootstrap of <paramref name="observed"/> = value(other) − value(best) from two distributions drawn with the
    /// same seed: the percentile interval of the resampled differences and a two-sided p = min(1, 2·min(share ≤ 0, share ≥ 0))
    /// over the defined resamples.
    /// </summary>
    public static PairedDifference Paired(double observed, double[] best, double[] other, double level = 0.95)
    {
        var diff = new List<double>(best.Length);
        for (int r = 0; r < best.Length; r++)
            if (double.IsFinite(best[r]) && double.IsFinite(other[r])) diff.Add(other[r] - best[r]);
        if (diff.Count == 0) return new PairedDifference(observed, double.NaN, double.NaN, double.NaN);
        var (lo, hi) = Interval(diff.ToArray(), level);
        double below = diff.Count(x => x <= 0) / (double)diff.Count, above = diff.Count(x => x >= 0) / (double)diff.Count;
        return new PairedDifference(observed, lo, hi, Math.Min(1.0, 2 * Math.Min(below, above)));
    }

    /// <summary>Benjamini–Hochberg adjusted p-values (NaN stays NaN and does not count).</summary>
    public static double[] FalseDiscoveryRate(IReadOnlyList<double> p)
    {
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ToArray();
        var adjusted = Enumerable.Repeat(double.NaN, p.Count).ToArray();
        int m = order.Length;
        double running = 1.0;
        for (int k = m - 1; k >= 0; k--)
        {
            running = Math.Min(running, p[order[k]] * m / (k + 1));
            adjusted[order[k]] = Math.Min(1.0, running);
        }
        return adjusted;
    }

    /// <summary>Resample r: <paramref name="words"/> draws of NextInt(words) and, with 2 or more subjects, as many subject draws.</summary>
    public static (int[] Words, int[] Subjects) Draw(ulong seed, long r, int words, int subjects)
    {
        var rng = SeededRandom.ForBlock(seed, r);
        var w = new int[words];
        for (int i = 0; i < words; i++) w[i] = rng.NextInt(words);
        var s = new int[subjects];
        for (int i = 0; i < subjects; i++) s[i] = subjects == 1 ? 0 : rng.NextInt(subjects);
        return (w, s);
    }

    private static int[] Order(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).ToArray();
        Array.Sort(v.ToArray(), order);
        return order;
    }

    /// <summary>Average ranks (1-based) each value would have in the vector holding value p weight[p] times.</summary>
    internal static double[] WeightedRanks(double[] v, int[] order, int[] weight)
    {
        var ranks = new double[v.Length];
        long below = 0;
        int k = 0, m = order.Length;
        while (k < m)
        {
            int j = k;
            long group = 0;
            double value = v[order[k]];
            while (j < m && v[order[j]] == value) { group += weight[order[j]]; j++; }
            double rank = below + (group + 1) / 2.0;
            for (int t = k; t < j; t++) ranks[order[t]] = rank;
            below += group;
            k = j;
        }
        return ranks;
    }

    /// <summary>Pearson r of the vectors holding x_p and y_p weight[p] times; NaN when either is constant.</summary>
    internal static double WeightedPearson(double[] x, double[] y, int[] weight)
    {
        double w = 0, sx = 0, sy = 0;
        for (int p = 0; p < x.Length; p++) { w += weight[p]; sx += weight[p] * x[p]; sy += weight[p] * y[p]; }
        if (w < 2) return double.NaN;
        double mx = sx / w, my = sy / w, sxy = 0, sxx = 0, syy = 0;
        for (int p = 0; p < x.Length; p++)
        {
            if (weight[p] == 0) continue;
            double a = x[p] - mx, b = y[p] - my;
            sxy += weight[p] * a * b;
            sxx += weight[p] * a * a;
            syy += weight[p] * b * b;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / (Math.Sqrt(sxx) * Math.Sqrt(syy)), -1.0, 1.0);
    }

    /// <summary>rho-a (12·Σ centred rank products/(M³ − M)) of the vectors holding the ranks weight[p] times, M of them.</summary>
    internal static double WeightedRhoA(double[] rx, double[] ry, int[] weight, long total)
    {
        double sx = 0, sy = 0;
        for (int p = 0; p < rx.Length; p++) { sx += weight[p] * rx[p]; sy += weight[p] * ry[p]; }
        double mx = sx / total, my = sy / total, sxy = 0;
        for (int p = 0; p < rx.Length; p++)
            if (weight[p] != 0) sxy += weight[p] * (rx[p] - mx) * (ry[p] - my);
        double m = total;
        return 12.0 * sxy / (m * m * m - m);
    }

    private static double[] Repeat(double[] v, int[] weight, long total)
    {
        var o = new double[total];
        long k = 0;
        for (int p = 0; p < v.Length; p++)
            for (int t = 0; t < weight[p]; t++) o[k++] = v[p];
        return o;
    }
}
