using Simile.Comparison;
using Simile.Data;
using Simile.Similarity;

namespace Simile.Analyses.Grid;

/// <summary>One representation as the grid's measures see it: its word vectors and (on first use) its cosine RDM.</summary>
public sealed class GridOperand(Matrix vectors, IReadOnlyList<string> words, string where)
{
    private readonly object _gate = new();
    private DissimilarityMatrix? _rdm;

    /// <summary>words × dims, float64.</summary>
    public Matrix Vectors { get; } = vectors;

    /// <summary>The condensed cosine-distance RDM (1 − cosine similarity), computed once.</summary>
    public DissimilarityMatrix Rdm
    {
        get
        {
            lock (_gate)
            {
                if (_rdm is not null) return _rdm;
                try { return _rdm = Dissimilarity.Compute(Vectors, DissimilarityKind.Cosine, words); }
                catch (SimileException e) { throw new SimileException($"{where}: {e.Message}", e.Fix, e); }
            }
        }
    }

    /// <summary>Approximate bytes held once the RDM exists.</summary>
    public static long Bytes(int words, int dims) => 8L * words * dims + 8L * CondensedIndex.Length(words);
}

/// <summary>
/// The measures a grid can score a pair of representations with, by name: the one place that maps a measure name to
/// the library function. RSA values are the second-order correlation of the two cosine RDMs' upper triangles
/// (<see cref="RsaMeasures"/>); <c>cka</c> is <see cref="Cka.Linear"/>, <c>cka_debiased</c> <see cref="Cka.LinearDebiased"/>,
/// <c>procrustes</c> the angular shape distance (<see cref="Procrustes.AngularDistance"/>). A general measure registry
/// can replace <see cref="Lookup"/> without touching the rest of the grid.
/// </summary>
public static class GridMeasures
{
    /// <summary>A pair score.</summary>
    public delegate double Score(GridOperand a, GridOperand b);

    private static readonly (string Name, Score Score)[] Table =
    [
        ("pearson", (a, b) => FeatureRoute(a, b)
            ? FeatureSpaceRsa.Pearson(a.Vectors, b.Vectors, DissimilarityKind.Cosine)
            : RsaMeasures.Pearson(a.Rdm.Condensed, b.Rdm.Condensed)),
        ("spearman", (a, b) => RsaMeasures.Spearman(a.Rdm.Condensed, b.Rdm.Condensed)),
        ("kendall_tau_b", (a, b) => RsaMeasures.KendallTauB(a.Rdm.Condensed, b.Rdm.Condensed)),
        ("cosine", (a, b) => RsaMeasures.Cosine(a.Rdm.Condensed, b.Rdm.Condensed)),
        ("cka", (a, b) => Cka.Linear(a.Vectors, b.Vectors)),
        ("cka_debiased", (a, b) => Cka.LinearDebiased(a.Vectors, b.Vectors)),
        ("procrustes", (a, b) => Procrustes.AngularDistance(a.Vectors, b.Vectors)),
    ];

    /// <summary>
    /// Pearson RSA of narrow representations over many words goes through <see cref="FeatureSpaceRsa"/> (cost
    /// n·dA·dB, no RDM), wide ones through the RDMs (cost n²/2 per pair, memory-bound): the feature route wins while
    /// dA·dB stays below about 16·n. The choice depends only on the shapes, so every shard and a single run agree.
    /// </summary>
    public static bool FeatureRoute(GridOperand a, GridOperand b) => (double)a.Vectors.Cols * b.Vectors.Cols <= 16.0 * a.Vectors.Rows;


    /// <summary>Every measure name, in the order of <see cref="Table"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToList();

    /// <summary>The score function of <paramref name="name"/>; throws <see cref="SimileException"/> listing the names.</summary>
    public static Score Lookup(string name)
    {
        string key = name.Trim().ToLowerInvariant();
        foreach (var (n, s) in Table) if (n == key) return s;
        throw new SimileException($"unknown measure '{name}'", $"use --measures with names from {string.Join(", ", Names)}");
    }

    /// <summary>Splits comma lists, lower-cases, checks every name and drops repeats (order kept).</summary>
    public static IReadOnlyList<string> ParseList(IEnumerable<string> specs)
    {
        var list = new List<string>();
        foreach (var spec in specs)
            foreach (var raw in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                Lookup(raw);
                string n = raw.ToLowerInvariant();
                if (!list.Contains(n)) list.Add(n);
            }
        if (list.Count == 0) throw new SimileException("no measure given", $"use --measures with names from {string.Join(", ", Names)}, e.g. pearson,cka");
        return list;
    }
}
