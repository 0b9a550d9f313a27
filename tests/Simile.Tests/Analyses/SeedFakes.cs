using Simile.Analyses;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Models;
using Simile.Similarity;

namespace Simile.Tests.Analyses;

/// <summary>
/// A fake static-vector model for the seed-analysis tests: a dictionary word → vector. A word containing '-' is
/// "split" by the tokenizer into its '-'-separated pieces (each must be in the dictionary); anything else not in
/// the dictionary is missing.
/// </summary>
internal sealed class FakeEmbeddings : IWordEmbeddings
{
    private readonly Dictionary<string, double[]> _vectors;
    private readonly List<string> _vocabulary;

    public FakeEmbeddings(string name, IReadOnlyList<string> words, Matrix vectors, int vocabularySize = 1000, string architecture = "static")
    {
        _vocabulary = words.ToList();
        _vectors = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++) _vectors[words[i]] = vectors.RowReadOnly(i).ToArray();
        Dims = vectors.Cols;
        Info = new ModelInfo(name, architecture, vocabularySize, Dims, 0, 0, "fake:" + name, "test", null, true);
        Shape = (vocabularySize, Dims);
    }

    public int Dims { get; }
    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape { get; }

    public WordTokens Tokenize(string word)
    {
        if (_vectors.ContainsKey(word)) return new WordTokens(word, true, [_vocabulary.IndexOf(word)], [word]);
        var pieces = word.Split('-');
        if (pieces.Length > 1 && pieces.All(_vectors.ContainsKey))
            return new WordTokens(word, true, pieces.Select(p => _vocabulary.IndexOf(p)).ToList(),
                pieces.Select((p, i) => i == 0 ? p : "##" + p).ToList());
        return new WordTokens(word, false, [], []);
    }

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy)
    {
        var m = new Matrix(words.Count, Dims);
        for (int i = 0; i < words.Count; i++)
        {
            var t = Tokenize(words[i]);
            if (!t.Known) throw new SimileException($"{Info.Name} lacks '{words[i]}'", "test");
            var pieces = words[i].Split('-');
            if (pieces.Length == 1) { _vectors[words[i]].CopyTo(m.Row(i)); continue; }
            if (policy == SubwordPolicy.Error) throw new SimileException($"{words[i]} is split", "test");
            var chosen = policy switch
            {
                SubwordPolicy.First => [pieces[0]],
                SubwordPolicy.Last => [pieces[^1]],
                _ => pieces,
            };
            foreach (var p in chosen)
                for (int c = 0; c < Dims; c++) m[i, c] += _vectors[p][c] / chosen.Length;
        }
        return new VectorSet(words.ToList(), m, "fake:" + Info.Name);
    }

    public IReadOnlyList<string> VocabularyWords() => _vocabulary;
    public void Dispose() { }
}

/// <summary>The 34 seed words and three fake "models" of them with known relations, plus naive reference formulas.</summary>
internal static class SeedFakes
{
    public static WordList SeedWords()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "data", "seed-words.tsv")).Skip(1)
            .Where(l => l.Trim().Length > 0).Select(l => l.Split('\t')).ToList();
        return new WordList(lines.Select(f => f[0].Trim()).ToList(), lines.Select(f => (string?)f[1].Trim()).ToList());
    }

    /// <summary>
    /// "alpha": 64 dims, category mean + noise. "beta": alpha · random 64×48 + noise (different width).
    /// "gamma": alpha + small noise (same width and axes: a model that shares alpha's lineage).
    /// "delta": alpha rotated by a random orthogonal matrix + noise (same width, unrelated axes).
    /// </summary>
    public static (FakeEmbeddings Alpha, FakeEmbeddings Beta, FakeEmbeddings Gamma, FakeEmbeddings Delta) Models(WordList words, ulong seed = 7)
    {
        var rng = new SeededRandom(seed);
        int n = words.Count;
        var cats = words.CategoryNames;
        var means = cats.ToDictionary(c => c, _ => Enumerable.Range(0, 64).Select(_ => rng.NextGaussian()).ToArray());
        var alpha = new Matrix(n, 64);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 64; c++) alpha[i, c] = means[words.Categories[i]!][c] + 0.8 * rng.NextGaussian();
        var w = new Matrix(64, 48);
        for (int k = 0; k < w.Values.Length; k++) w.Values[k] = rng.NextGaussian();
        var beta = new Matrix(n, 48);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 48; c++)
            {
                double s = 0;
                for (int k = 0; k < 64; k++) s += alpha[i, k] * w[k, c];
                beta[i, c] = s + 3.0 * rng.NextGaussian();
            }
        var gamma = new Matrix(n, 64);
        for (int k = 0; k < gamma.Values.Length; k++) gamma.Values[k] = alpha.Values[k] + 0.3 * rng.NextGaussian();
        var q = RandomRotation.Orthogonal(64, seed + 100);
        var delta = RandomRotation.Apply(alpha, q);
        for (int k = 0; k < delta.Values.Length; k++) delta.Values[k] += 0.3 * rng.NextGaussian();
        var list = words.Words;
        return (new FakeEmbeddings("alpha", list, alpha, 30522, "bert"), new FakeEmbeddings("beta", list, beta, 400000),
                new FakeEmbeddings("gamma", list, gamma, 30522, "bert"), new FakeEmbeddings("delta", list, delta, 5000));
    }

    // ---- The second, simple route: naive loops, no library numerics. ----

    public static double[] NaiveCosineSimilarity(Matrix x)
    {
        int n = x.Rows;
        var s = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (int c = 0; c < x.Cols; c++) { dot += x[i, c] * x[j, c]; ni += x[i, c] * x[i, c]; nj += x[j, c] * x[j, c]; }
                s.Add(dot / Math.Sqrt(ni * nj));
            }
        return s.ToArray();
    }


    /// <summary>Average ranks (1-based, ties share the mean rank) by counting, O(m²).</summary>
    public static double[] NaiveRanks(IReadOnlyList<double> a)
    {
        var r = new double[a.Count];
        for (int i = 0; i < a.Count; i++)
        {
            int less = 0, equal = 0;
            for (int j = 0; j < a.Count; j++) { if (a[j] < a[i]) less++; else if (a[j] == a[i]) equal++; }
            r[i] = less + (equal + 1) / 2.0;
        }
        return r;
    }

    public static double NaiveSpearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => NaiveReference.Pearson(NaiveRanks(a), NaiveRanks(b));

    public static double[] NaiveDirect(Matrix x, Matrix y) =>
        Enumerable.Range(0, x.Rows).Select(i => NaiveReference.Pearson(x.RowReadOnly(i).ToArray(), y.RowReadOnly(i).ToArray())).ToArray();

    /// <summary>A complete result built by the naive route only (for report tests that must not depend on the numerics).</summary>
    public static SeedAnalysisResult NaiveResult(WordList words, params FakeEmbeddings[] models)
    {
        var options = new SeedAnalysisOptions { Permutations = 999, BootstrapResamples = 200, Seed = 5 };
        var matrices = models.Select(m =>
        {
            var v = m.Vectors(words.Words, SubwordPolicy.Error);
            var sim = NaiveCosineSimilarity(v.Vectors);
            return new ModelMatrices(ModelSummary.Of(m), v, new DissimilarityMatrix(words.Count, DissimilarityKind.Cosine,
                Array.ConvertAll(sim, s => 1 - s)));
        }).ToList();
        var pairs = new List<PairResult>();
        for (int a = 0; a < matrices.Count; a++)
            for (int b = a + 1; b < matrices.Count; b++)
            {
                var da = matrices[a].Dissimilarity.Condensed; var db = matrices[b].Dissimilarity.Condensed;
                double r = NaiveReference.Pearson(da, db), rho = NaiveSpearman(da, db);
                DirectCorrelationResult? direct = null;
                if (matrices[a].Model.Dims == matrices[b].Model.Dims)
                {
                    var per = NaiveDirect(matrices[a].Vectors.Vectors, matrices[b].Vectors.Vectors);
                    direct = new DirectCorrelationResult(per.Average(), per);
                }
                pairs.Add(new PairResult(matrices[a].Model.Name, matrices[b].Model.Name, r, rho,
                    new PermutationResult(RsaMeasure.Pearson, 999, 5, r, 0.001, 0),
                    new PermutationResult(RsaMeasure.Spearman, 999, 5, rho, 0.001, 0),
                    new BootstrapInterval(RsaMeasure.Pearson, 200, 5, r, r - 0.1, Math.Min(1, r + 0.05), 0.95),
                    direct, direct is null ? "widths differ" : null, direct is { Mean: > 0.5 }));
            }
        var x = matrices[0].Vectors.Vectors;
        var rotated = RandomRotation.Apply(x, RandomRotation.Orthogonal(x.Cols, 5));
        var perWord = NaiveDirect(x, rotated);
        var rotation = new RotationControlResult(matrices[0].Model.Name, perWord.Average(), perWord,
            NaiveReference.Pearson(NaiveCosineSimilarity(x), NaiveCosineSimilarity(rotated)), 1 / Math.Sqrt(x.Cols));
        return new SeedAnalysisResult(words, options, matrices, pairs, rotation, ["a note"], null, []);
    }
}
