using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Simile.Data;
using Simile.Engine;
using Simile.Inference;
using Simile.Similarity;

namespace Simile.Analyses.Layers;

/// <summary>The category model RDM: 0 for two words of the same category, 1 across categories (rsatoolbox get_categorical_rdm).</summary>
public static class CategoryModel
{
    /// <summary>Condensed (pdist order), length n(n−1)/2.</summary>
    public static double[] Rdm(IReadOnlyList<string> categories)
    {
        int n = categories.Count;
        var rdm = new double[CondensedIndex.Length(n)];
        long k = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) rdm[k++] = string.Equals(categories[i], categories[j], StringComparison.Ordinal) ? 0.0 : 1.0;
        return rdm;
    }

    /// <summary>The words' categories as codes 0..K−1 (order of first appearance); throws naming a word without one.</summary>
    public static (int[] Codes, IReadOnlyList<string> Names) Codes(IReadOnlyList<string> words, IReadOnlyList<string?> categories)
    {
        var names = new List<string>();
        var codes = new int[categories.Count];
        for (int i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            if (string.IsNullOrWhiteSpace(c))
                throw new SimileException($"word '{words[i]}' (row {i + 1} of the word list) has no category",
                    "give every word a category in the second column, or none at all to skip the category analyses");
            int code = names.IndexOf(c);
            if (code < 0) { code = names.Count; names.Add(c); }
            codes[i] = code;
        }
        return (codes, names);
    }
}

/// <summary>Category RSA of one representation: Pearson r between its cosine-distance RDM and the category model RDM.</summary>
public sealed record CategoryRsa(string Representation, double Pearson, double PValue, int Permutations);

/// <summary>
/// A category's selectivity in one representation: mean cosine similarity among its words minus their mean similarity
/// to the other categories' words, with a percentile bootstrap interval (words resampled within categories).
/// </summary>
public sealed record Selectivity(string Category, string Representation, double Value, double Lower, double Upper, double Level, int Resamples);

/// <summary>How each representation of a model separates the word categories.</summary>
public static class CategoryAnalysis
{
    private const int ResamplesPerChunk = 256;

    /// <summary>
    /// Category RSA per representation: r = Pearson(1 − cosine similarity, category RDM), and its permutation p-value:
    /// permutation p relabels the words by <see cref="Permutations.Fill"/>(seed, p) (one permutation shared by every
    /// representation); p = (k+1)/(N+1), k = permutations with r ≥ observed (the <see cref="Permutations"/> convention).
    /// </summary>
    public static IReadOnlyList<CategoryRsa> Rsa(RepresentationStack stack, IReadOnlyList<string> categories, int permutations = 1000, ulong seed = 1)
        => Rsa(stack, categories, permutations, seed, null);

    /// <param name="standardizedSimilarities">LayerRsa.StandardizedSimilarities(stack) when already computed (not modified).</param>
    internal static IReadOnlyList<CategoryRsa> Rsa(RepresentationStack stack, IReadOnlyList<string> categories, int permutations, ulong seed,
        double[][]? standardizedSimilarities)
    {
        var (codes, _) = CategoryModel.Codes(stack.Words, categories);
        int n = stack.WordCount;
        if (categories.Count != n) throw new ArgumentException("one category per word");
        var model = CategoryModel.Rdm(categories);
        var modelZ = LayerMath.Standardize(model);
        int reps = stack.Count;
        // zs[r]: standardised cosine similarities. Distance = 1 − similarity, so the standardised distance is −zs and
        // r(distance, category RDM) = −zs·z(RDM).
        var zs = standardizedSimilarities ?? LayerRsa.StandardizedSimilarities(stack);
        var observed = zs.Select(z => -LayerMath.Dot(z, modelZ)).ToArray();
        var pvalues = new double[reps];
        if (permutations <= 0 || double.IsNaN(modelZ[0]))
        {
            Array.Fill(pvalues, double.NaN);
        }
        else
        {
            // With zd = −zs centred, r = Σ_between zd_k / ‖c − c̄‖ = Σ_within zs_k / ‖c − c̄‖; the norm is the same for every
            // relabelling (the number of within pairs does not change), so only the within sums are recomputed.
            double cNorm = 0, cMean = model.Average();
            foreach (double v in model) cNorm += (v - cMean) * (v - cMean);
            cNorm = Math.Sqrt(cNorm);
            int m = zs[0].Length;
            // Pair-major, padded to whole 8-value chunks: one pair's values for 8 representations share a cache line.
            int stride = (reps + 7) / 8 * 8;
            var inter = new double[(long)m * stride];
            for (int r = 0; r < reps; r++) for (int k = 0; k < m; k++) inter[(long)k * stride + r] = zs[r][k];
            int categoriesCount = codes.Max() + 1;
            var counts = new int[reps];
            // Permutation p relabels word i with the category of word π(i) (the same Fisher–Yates as shuffling the labels).
            Permutations.Run(n, permutations, seed,
                () => (Labels: new int[n], Sum: new double[stride], Counts: new int[reps],
                       Members: Enumerable.Range(0, categoriesCount).Select(_ => new List<int>()).ToArray()),
                (p, perm, local) =>
                {
                    for (int i = 0; i < n; i++) local.Labels[i] = codes[perm[i]];
                    foreach (var list in local.Members) list.Clear();
                    for (int i = 0; i < n; i++) local.Members[local.Labels[i]].Add(i); // ascending within each list
                    Array.Clear(local.Sum);
                    for (int chunk = 0; chunk < stride; chunk += 8)
                    {
                        var lo = Vector256<double>.Zero;
                        var hi = Vector256<double>.Zero;
                        ref double base0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(inter), chunk);
                        foreach (var list in local.Members)
                            for (int a = 0; a < list.Count; a++)
                            {
                                long rowStart = CondensedIndex.RowStart(n, list[a]) - list[a] - 1;
                                for (int b = a + 1; b < list.Count; b++)
                                {
                                    ref double at = ref Unsafe.Add(ref base0, (nint)((rowStart + list[b]) * stride));
                                    lo += Vector256.LoadUnsafe(ref at);
                                    hi += Vector256.LoadUnsafe(ref at, 4);
                                }
                            }
                        lo.CopyTo(local.Sum.AsSpan(chunk));
                        hi.CopyTo(local.Sum.AsSpan(chunk + 4));
                    }
                    for (int r = 0; r < reps; r++)
                        if (Permutations.AtLeast(local.Sum[r] / cNorm, observed[r])) local.Counts[r]++;
                },
                local => { for (int r = 0; r < reps; r++) counts[r] += local.Counts[r]; },
                blockSize: 16);
            for (int r = 0; r < reps; r++) pvalues[r] = Permutations.PValue(counts[r], permutations);
        }
        return Enumerable.Range(0, reps).Select(r => new CategoryRsa(stack.Labels[r], observed[r], pvalues[r], Math.Max(0, permutations))).ToList();
    }

    /// <summary>
    /// Selectivity of every category in one matrix of vectors (n×d): [category] → (value, lower, upper).
    /// Resample b draws, for each category in order of first appearance, as many of its words as it has, uniformly with
    /// replacement, from SeededRandom.ForBlock(seed, b).NextInt; a pair of a word with its own copy is dropped.
    /// With multiplicities w: within = Σ_{i&lt;j in c} w_i w_j s_ij / Σ_{i&lt;j in c} w_i w_j,
    /// between = Σ_{i in c, j not in c} w_i w_j s_ij / (n_c (n − n_c)); selectivity = within − between.
    /// </summary>
    public static IReadOnlyList<Selectivity> SelectivityOf(Matrix vectors, IReadOnlyList<string> words, IReadOnlyList<string> categories,
        string representation = "", int resamples = 1000, ulong seed = 1, double level = 0.95)
    {
        var (codes, names) = CategoryModel.Codes(words, categories);
        int n = vectors.Rows, k = names.Count;
        // Reorder the items so each category is one contiguous block (stable: file order within a category).
        var order = Enumerable.Range(0, n).OrderBy(i => codes[i]).ToArray();
        var start = new int[k + 1];
        for (int i = 0; i < n; i++) start[codes[order[i]] + 1]++;
        for (int c = 0; c < k; c++) start[c + 1] += start[c];
        var s = LayerMath.CosineSimilaritySquare(vectors.SelectRows(order), order.Select(i => words[i]).ToList(), representation);
        for (int i = 0; i < n; i++) s[(long)i * n + i] = 0.0; // no self pairs

        var ones = new double[n];
        Array.Fill(ones, 1.0);
        var observed = Compute(s, n, start, ones, 1)[0];
        var boot = Bootstrap.Stratified(start, resamples, seed, ResamplesPerChunk, (w, count) => Compute(s, n, start, w, count));
        var list = new List<Selectivity>(k);
        for (int c = 0; c < k; c++)
        {
            var (lower, upper) = PercentileInterval.Of(boot.Select(values => values[c]), level);
            list.Add(new Selectivity(names[c], representation, observed[c], lower, upper, level, Math.Max(0, resamples)));
        }
        return list;
    }

    /// <summary>Selectivity per representation of a stack: [representation][category].</summary>
    public static IReadOnlyList<IReadOnlyList<Selectivity>> Selectivity(RepresentationStack stack, IReadOnlyList<string> categories,
        int resamples = 1000, ulong seed = 1, double level = 0.95)
        => stack.Sets.Select((set, r) => SelectivityOf(set.Vectors, stack.Words, categories,
            stack.Labels[r], resamples, seed, level)).ToList();

    /// <summary>
    /// Selectivities for bs weight columns: s is n×n (category blocks contiguous, zero diagonal), w is n×bs.
    /// T = S·W and, per category block, Tc = S_cc·W_c through the GEMM kernel; then within and between sums.
    /// Returns [column][category].
    /// </summary>
    private static double[][] Compute(double[] s, int n, int[] start, double[] w, int bs)
    {
        int k = start.Length - 1;
        var t = new double[(long)n * bs];
        Gemm.Multiply(s, n, w, bs, t, bs, n, bs, n);
        var tc = new double[(long)n * bs];
        for (int c = 0; c < k; c++)
        {
            int a = start[c], size = start[c + 1] - a;
            if (size == 0) continue;
            Gemm.Multiply(s.AsSpan(a * n + a), n, w.AsSpan(a * bs), bs, tc.AsSpan(a * bs), bs, size, bs, size);
        }
        var result = new double[bs][];
        for (int b = 0; b < bs; b++)
        {
            result[b] = new double[k];
            for (int c = 0; c < k; c++)
            {
                double withinSum = 0, betweenSum = 0, wSum = 0, wSq = 0;
                for (int i = start[c]; i < start[c + 1]; i++)
                {
                    double wi = w[(long)i * bs + b];
                    if (wi == 0) continue;
                    double tci = tc[(long)i * bs + b];
                    withinSum += wi * tci;
                    betweenSum += wi * (t[(long)i * bs + b] - tci);
                    wSum += wi; wSq += wi * wi;
                }
                withinSum *= 0.5;
                double withinPairs = 0.5 * (wSum * wSum - wSq);
                double betweenPairs = wSum * (n - wSum);
                double within = withinPairs > 0 ? withinSum / withinPairs : double.NaN;
                double between = betweenPairs > 0 ? betweenSum / betweenPairs : double.NaN;
                result[b][c] = within - between;
            }
        }
        return result;
    }
}
